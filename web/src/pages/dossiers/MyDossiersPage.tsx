import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { Alert, RetryAlert } from '../../components/Alert';
import { DeadlineBadge, DossierStatus } from '../../components/Dossier';
import { useTitle } from '../../components/useTitle';
import { formatDateTime } from '../../format';
import { Link } from '../../router';
import type { DossierSummary } from '../../types';
import { ActionsPanel } from './Actions';
import { DossierDetail } from './DossierDetail';

export function myDossierLink(code: string): string {
  return `/ho-so/${encodeURIComponent(code)}`;
}

/** /ho-so: a citizen's or business's own dossiers, newest first. */
export function MyDossiersPage() {
  const { t } = useTranslation();
  const { account } = useAuth();
  useTitle(t('myDossiers.title'));
  const [items, setItems] = useState<DossierSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setError(null);
    api
      .myDossiers()
      .then((r) => {
        if (!cancelled) setItems(Array.isArray(r.items) ? r.items : []);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  if (!account) return null;

  return (
    <div className="stack" data-testid="my-dossiers-page">
      <h1 className="page-title">{t('myDossiers.title')}</h1>
      <p className="muted lead">{t('myDossiers.intro')}</p>
      {!account.verified && (
        <Alert tone="warning" testId="my-dossiers-not-verified">
          {t('intake.notVerified')}
        </Alert>
      )}
      <p>
        <Link to="/thu-tuc" className="btn btn--primary" data-testid="my-dossiers-new">
          {t('myDossiers.new')}
        </Link>
      </p>
      <section className="card" aria-labelledby="my-dossiers-list-title">
        <h2 id="my-dossiers-list-title" className="card__title">
          {t('myDossiers.listTitle')}
        </h2>
        {error && <RetryAlert error={error} testId="my-dossiers-error" onRetry={() => setAttempt((n) => n + 1)} />}
        {!items && !error && <p className="muted">{t('app.loading')}</p>}
        {items && items.length === 0 && <p data-testid="my-dossiers-empty">{t('myDossiers.empty')}</p>}
        {items && items.length > 0 && (
          <div className="table-wrap">
            <table className="table" data-testid="my-dossiers-table">
              <thead>
                <tr>
                  <th scope="col">{t('dossier.code')}</th>
                  <th scope="col">{t('dossier.procedure')}</th>
                  <th scope="col">{t('dossier.status')}</th>
                  <th scope="col">{t('dossier.submittedAt')}</th>
                  <th scope="col">{t('dossier.dueAt')}</th>
                  <th scope="col">{t('dossier.deadline')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <tr key={d.code} data-testid="my-dossier-row" data-code={d.code}>
                    <th scope="row" className="nowrap">
                      <Link to={myDossierLink(d.code)} data-testid={`my-dossier-link-${d.code}`}>
                        {d.code}
                      </Link>
                    </th>
                    <td>{d.procedure.name}</td>
                    <td>
                      <DossierStatus status={d.status} substate={d.substate} />
                    </td>
                    <td className="nowrap">{formatDateTime(d.submitted_at)}</td>
                    <td className="nowrap">{d.due_at ? formatDateTime(d.due_at) : '—'}</td>
                    <td>
                      <DeadlineBadge deadline={d.deadline} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}

/** /ho-so/:code: the applicant's view (status, timeline, receipt, result, rating). */
export function MyDossierPage({ code }: { code: string }) {
  const { t } = useTranslation();
  useTitle(t('myDossiers.detailTitle', { code }));
  return (
    <DossierDetail
      code={code}
      backLink={
        <p>
          <Link to="/ho-so">{t('myDossiers.back')}</Link>
        </p>
      }
      actions={(d, replace) => <ActionsPanel d={d} applicant onChanged={replace} />}
    />
  );
}
