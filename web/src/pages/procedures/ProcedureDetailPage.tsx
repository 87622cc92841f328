import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { Alert, RetryAlert } from '../../components/Alert';
import { useTitle } from '../../components/useTitle';
import { sourceLabel, timeLimitText } from '../../dossiers';
import { formatNumber, formatPercent } from '../../format';
import { currentLanguage } from '../../i18n';
import { Link } from '../../router';
import { isApplicantRole, type Procedure } from '../../types';
import { OnlineBadge, procedureLink, procedureName } from './ProceduresPage';

/** Loads one procedure by code (shared by the detail, submission and counter pages). */
export function useProcedure(code: string): {
  procedure: Procedure | null;
  error: string | null;
  notFound: boolean;
  retry: () => void;
} {
  const [procedure, setProcedure] = useState<Procedure | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let cancelled = false;
    setProcedure(null);
    setError(null);
    setNotFound(false);
    if (!code) return undefined;
    api
      .procedure(code)
      .then((r) => {
        if (!cancelled) setProcedure(r.procedure);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiError && e.status === 404) setNotFound(true);
        else setError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [code, attempt]);
  return { procedure, error, notFound, retry: () => setAttempt((n) => n + 1) };
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-testid={id}>
      <h2 id={`${id}-title`} className="card__title">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** /thu-tuc/:code: components, fees, time limit, legal basis, workflow; "submit online" for applicants. */
export function ProcedureDetailPage({ code }: { code: string }) {
  const { t } = useTranslation();
  const { account } = useAuth();
  const { procedure: p, error, notFound, retry } = useProcedure(code);
  useTitle(p ? procedureName(p) : t('procedures.detailTitle'));

  if (notFound)
    return (
      <div className="stack">
        <Alert tone="warning" testId="procedure-not-found">
          {t('procedures.notFound', { code })}
        </Alert>
        <p>
          <Link to="/thu-tuc">{t('procedures.backToList')}</Link>
        </p>
      </div>
    );
  if (error) return <RetryAlert error={error} testId="procedure-error" onRetry={retry} />;
  if (!p) return <p className="muted">{t('app.loading')}</p>;

  const en = currentLanguage() === 'en';
  const active = p.status === 'active';
  const canSubmit = active && (account === null || isApplicantRole(account?.role));
  const counter = active && account?.role === 'one-stop-officer';

  return (
    <div className="stack" data-testid="procedure-page">
      <p>
        <Link to="/thu-tuc">{t('procedures.backToList')}</Link>
      </p>
      <section className="card hero" aria-labelledby="procedure-title">
        <h1 id="procedure-title" className="page-title" data-testid="procedure-title">
          {procedureName(p)}
        </h1>
        {en && p.name_en && (
          <p className="muted" lang="vi">
            {p.name}
          </p>
        )}
        <dl className="facts">
          <div className="facts__item">
            <dt>{t('procedures.colCode')}</dt>
            <dd data-testid="procedure-code">{p.code}</dd>
          </div>
          <div className="facts__item">
            <dt>{t('procedures.colField')}</dt>
            <dd>{p.field_name}</dd>
          </div>
          <div className="facts__item">
            <dt>{t('procedures.colLevel')}</dt>
            <dd>{t(`procedures.levels.${p.level}`, { defaultValue: p.level })}</dd>
          </div>
          <div className="facts__item">
            <dt>{t('procedures.colTime')}</dt>
            <dd data-testid="procedure-time">{timeLimitText(t, p.time_limit)}</dd>
          </div>
          <div className="facts__item">
            <dt>{t('procedures.colOnline')}</dt>
            <dd>
              <OnlineBadge level={p.online_level} />
            </dd>
          </div>
        </dl>
        <dl className="details procedure-details">
          <div className="details__row">
            <dt>{t('procedures.agency')}</dt>
            <dd>
              {t(`procedures.agencyKinds.${p.agency_kind}`, { defaultValue: p.agency_kind })}
              {p.agency_note && <span className="muted doc-note">{p.agency_note}</span>}
            </dd>
          </div>
          <div className="details__row">
            <dt>{t('procedures.result')}</dt>
            <dd>
              {p.result.name}
              {p.result.electronic && <span className="muted doc-note">{t('procedures.electronic')}</span>}
            </dd>
          </div>
        </dl>
        {!active && <Alert tone="warning">{t('procedures.retired')}</Alert>}
        {(canSubmit || counter) && (
          <p className="form__actions">
            {canSubmit && (
              <Link to={`${procedureLink(p.code)}/nop`} className="btn btn--primary" data-testid="procedure-submit-online">
                {t('procedures.submitOnline')}
              </Link>
            )}
            {counter && (
              <Link
                to={`/xu-ly/tiep-nhan?${new URLSearchParams({ 'thu-tuc': p.code }).toString()}`}
                className="btn btn--primary"
                data-testid="procedure-counter"
              >
                {t('procedures.counterIntake')}
              </Link>
            )}
          </p>
        )}
        {canSubmit && account === null && <p className="muted">{t('procedures.signInToSubmit')}</p>}
      </section>

      <Section id="procedure-components" title={t('procedures.components')}>
        <div className="table-wrap">
          <table className="table table--components">
            <thead>
              <tr>
                <th scope="col">{t('procedures.colComponent')}</th>
                <th scope="col">{t('procedures.colRequired')}</th>
                <th scope="col">{t('procedures.colSources')}</th>
              </tr>
            </thead>
            <tbody>
              {p.components.map((c) => (
                <tr key={c.code} data-testid={`procedure-component-${c.code}`}>
                  <th scope="row">
                    <span className="component-code">{c.code}</span> {c.name}
                  </th>
                  <td className="nowrap">{c.required ? t('procedures.required') : t('procedures.optional')}</td>
                  <td>
                    <span className="badges">
                      {c.sources.map((s) => (
                        <span key={s} className="badge badge--registry">
                          {sourceLabel(t, s)}
                        </span>
                      ))}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Section>

      <Section id="procedure-form-fields" title={t('procedures.formFields')}>
        <ul className="plain-list">
          {p.form_fields.map((f) => (
            <li key={f.name}>
              {f.label}
              {f.required && <span className="muted"> ({t('procedures.required').toLowerCase()})</span>}
              {f.prefill?.subject === 'applicant' && (
                <span className="badge badge--provenance">{t('procedures.prefilled')}</span>
              )}
            </li>
          ))}
        </ul>
      </Section>

      <Section id="procedure-fees" title={t('procedures.fees')}>
        {p.fees.length === 0 ? (
          <p className="muted">{t('procedures.noFees')}</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('procedures.colFee')}</th>
                  <th scope="col" className="num">
                    {t('procedures.colAmount')}
                  </th>
                  <th scope="col">{t('procedures.colNote')}</th>
                </tr>
              </thead>
              <tbody>
                {p.fees.map((f) => (
                  <tr key={f.code} data-testid={`procedure-fee-${f.code}`}>
                    <th scope="row">{f.name}</th>
                    <td className="num">
                      {t('procedures.vnd', { amount: formatNumber(f.amount) })}
                      <span className="muted doc-note">{t(`procedures.feeUnits.${f.unit}`, { defaultValue: f.unit })}</span>
                    </td>
                    <td className="fee-note">{f.note || '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>

      <Section id="procedure-workflow" title={t('procedures.workflow')}>
        <ol className="steps">
          {p.workflow.map((s) => (
            <li key={s.step}>
              <strong>{s.name}</strong>{' '}
              <span className="muted">
                — {t(`roles.${s.role}`, { defaultValue: s.role })}, {t(`procedures.stepLevels.${s.level}`, { defaultValue: s.level })},{' '}
                {formatPercent(s.share)}
              </span>
            </li>
          ))}
        </ol>
      </Section>

      <Section id="procedure-legal" title={t('procedures.legalBasis')}>
        <ul className="plain-list" data-testid="procedure-legal-list">
          {p.legal_basis.map((b) => (
            <li key={b}>{b}</li>
          ))}
        </ul>
      </Section>
    </div>
  );
}
