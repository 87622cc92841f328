import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage, myDocumentContentUrl } from '../api';
import { useAuth } from '../auth';
import { Alert, RetryAlert } from '../components/Alert';
import { DocumentTable, DocumentUploadForm } from '../components/Documents';
import { useTitle } from '../components/useTitle';
import { useUnitNames } from '../components/useUnitNames';
import { formatDateTime } from '../format';
import { fieldLabel } from '../registry';
import { hasOwnStore, type DataAccess, type OwnerKind, type PdsDocument, type Purpose } from '../types';

function Outcome({ outcome }: { outcome: string }) {
  const { t } = useTranslation();
  const tone = outcome === 'granted' ? 'granted' : outcome === 'refused' ? 'refused' : 'other';
  return <span className={`badge badge--${tone}`}>{t(`myData.outcomes.${outcome}`, { defaultValue: outcome })}</span>;
}

function AccessTable({ items }: { items: DataAccess[] }) {
  const { t } = useTranslation();
  const [purposes, setPurposes] = useState<Record<string, string>>({});
  const unitNames = useUnitNames(items.map((i) => i.unit).filter(Boolean));

  useEffect(() => {
    let cancelled = false;
    api
      .purposes()
      .then((r) => {
        if (cancelled || !Array.isArray(r.items)) return;
        setPurposes(Object.fromEntries(r.items.map((p: Purpose) => [p.code, p.name])));
      })
      .catch(() => {
        // Purpose codes are shown as they are.
      });
    return () => {
      cancelled = true;
    };
  }, []);

  // Reads of the personal data store are logged as "documents", "document:<id>" and "document:<id>:content".
  const field = (x: string) => {
    if (x === 'documents') return t('myData.documentList');
    const m = /^document:(\d+)(:content)?$/.exec(x);
    if (m) return t(m[2] ? 'myData.documentFile' : 'myData.document', { id: m[1] });
    return fieldLabel(t, x);
  };
  const fields = (f: string) =>
    !f || f === '*'
      ? t('myData.allFields')
      : f
          .split(',')
          .map((x) => field(x.trim()))
          .join(', ');
  const purpose = (p: string) => {
    if (purposes[p]) return purposes[p];
    return t(`myData.purposes.${p}`, { defaultValue: p || '—' });
  };

  return (
    <div className="table-wrap">
      <table className="table" data-testid="my-data-table">
        <thead>
          <tr>
            <th scope="col">{t('myData.colAt')}</th>
            <th scope="col">{t('myData.colReader')}</th>
            <th scope="col">{t('myData.colRole')}</th>
            <th scope="col">{t('myData.colUnit')}</th>
            <th scope="col">{t('myData.colFields')}</th>
            <th scope="col">{t('myData.colPurpose')}</th>
            <th scope="col">{t('myData.colOutcome')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((a, i) => (
            <tr key={`${a.at}|${i}`} data-testid="my-data-row">
              <td className="nowrap">{formatDateTime(a.at)}</td>
              <th scope="row" data-testid="my-data-reader">
                {a.reader || '—'}
              </th>
              <td>{t(`roles.${a.role}`, { defaultValue: a.role || '—' })}</td>
              <td>{a.unit ? (unitNames[a.unit] ?? a.unit) : '—'}</td>
              <td>{fields(a.fields)}</td>
              <td>{purpose(a.purpose)}</td>
              <td data-testid="my-data-outcome">
                <Outcome outcome={a.outcome} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The owner's own documents (GET /api/v1/me/documents) and the form that adds one. */
function MyDocuments({ owner }: { owner: OwnerKind }) {
  const { t } = useTranslation();
  const [items, setItems] = useState<PdsDocument[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setError(null);
    api
      .myDocuments()
      .then((r) => {
        if (!cancelled) setItems(Array.isArray(r.items) ? r.items : []);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [reloadKey]);

  return (
    <section className="card" aria-labelledby="my-docs-title" data-testid="my-docs">
      <h2 id="my-docs-title" className="card__title">
        {t('documents.myTitle')}
      </h2>
      <p className="muted">{t('documents.myIntro')}</p>
      {error && (
        <RetryAlert error={error} testId="my-docs-load-error" onRetry={() => setReloadKey((k) => k + 1)} />
      )}
      {!items && !error && <p className="muted">{t('app.loading')}</p>}
      {items && items.length === 0 && <p data-testid="my-docs-empty">{t('documents.empty')}</p>}
      {items && items.length > 0 && (
        <>
          <p className="muted">{t('documents.count', { count: items.length })}</p>
          <DocumentTable items={items} testId="my-docs" contentUrl={myDocumentContentUrl} />
        </>
      )}
      <h3 className="result__subtitle doc-add-title">{t('documents.addTitle')}</h3>
      <DocumentUploadForm
        owner={owner}
        idPrefix="my-docs"
        upload={(file, meta) => api.addMyDocument(file, meta)}
        onAdded={() => setReloadKey((k) => k + 1)}
      />
    </section>
  );
}

export function MyDataPage() {
  const { t } = useTranslation();
  const { account } = useAuth();
  useTitle(t('myData.title'));
  const eligible = !!account && account.role === 'citizen' && account.verified;

  const [items, setItems] = useState<DataAccess[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

  useEffect(() => {
    if (!eligible) return undefined;
    let cancelled = false;
    setError(null);
    api
      .myDataAccess()
      .then((r) => {
        if (!cancelled) setItems(Array.isArray(r.items) ? r.items : []);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        setError(e instanceof ApiError && e.status === 403 ? t('myData.notVerified') : errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
    // The language is not a dependency: t only words an error.
  }, [eligible, reloadKey]);

  if (!account) return null;

  return (
    <div className="stack" data-testid="my-data-page">
      <h1 className="page-title">{t('myData.title')}</h1>
      <p className="muted lead">{t('myData.intro')}</p>

      {account.role === 'business' ? (
        account.verified ? (
          <Alert tone="info" testId="my-data-business">
            {t('myData.businessNote')}
          </Alert>
        ) : (
          <Alert tone="warning" testId="my-data-not-verified">
            {t('myData.businessNotVerified')}
          </Alert>
        )
      ) : account.role !== 'citizen' ? (
        <Alert tone="info" testId="my-data-citizens-only">
          {t('myData.citizensOnly')}
        </Alert>
      ) : !account.verified ? (
        <Alert tone="warning" testId="my-data-not-verified">
          {t('myData.notVerified')}
        </Alert>
      ) : (
        <section className="card" aria-labelledby="my-data-title">
          <h2 id="my-data-title" className="card__title">
            {t('myData.logTitle')}
          </h2>
          {error && (
            <RetryAlert error={error} testId="my-data-error" onRetry={() => setReloadKey((k) => k + 1)} />
          )}
          {!items && !error && <p className="muted">{t('app.loading')}</p>}
          {items && items.length === 0 && <p data-testid="my-data-empty">{t('myData.empty')}</p>}
          {items && items.length > 0 && (
            <>
              <p className="muted">{t('myData.count', { count: items.length })}</p>
              <AccessTable items={items} />
            </>
          )}
          <p className="muted">{t('myData.note')}</p>
        </section>
      )}

      {hasOwnStore(account) && <MyDocuments owner={account.role === 'business' ? 'enterprise' : 'citizen'} />}
    </div>
  );
}
