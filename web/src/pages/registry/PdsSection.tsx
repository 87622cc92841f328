import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage, pdsDocumentContentUrl } from '../../api';
import { useAuth } from '../../auth';
import { Alert } from '../../components/Alert';
import { DocumentTable, DocumentUploadForm } from '../../components/Documents';
import { canWritePds, type OwnerKind, type PdsDocument } from '../../types';

/**
 * The personal data store of the record shown (a citizen or an enterprise): its documents with
 * their files, and for pds.write an upload form and "Revoke". Every read (the list, a file) is in
 * the owner's access log, with the lookup's purpose.
 */
export function PdsSection({ kind, ownerKey, purpose }: { kind: OwnerKind; ownerKey: string; purpose: string }) {
  const { t } = useTranslation();
  const { account } = useAuth();
  const canWrite = canWritePds(account?.role);
  const [items, setItems] = useState<PdsDocument[] | null>(null);
  const [error, setError] = useState<{ tone: 'error' | 'warning'; text: string; testId: string } | null>(null);
  const [reloadKey, setReloadKey] = useState(0);
  const [revoking, setRevoking] = useState<number | null>(null);
  const [revoked, setRevoked] = useState<string | null>(null);
  const [revokeError, setRevokeError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    setError(null);
    api
      .pdsDocuments(kind, ownerKey, purpose.trim() || undefined)
      .then((r) => {
        if (!cancelled) setItems(Array.isArray(r.items) ? r.items : []);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        const status = e instanceof ApiError ? e.status : 0;
        if (status === 403) setError({ tone: 'warning', text: t('pds.outOfScope'), testId: 'pds-forbidden' });
        else setError({ tone: 'error', text: errorMessage(e), testId: 'pds-load-error' });
      });
    return () => {
      cancelled = true;
    };
    // t is left out on purpose: switching the language must not read (and log) the list again.
  }, [kind, ownerKey, purpose, reloadKey]);

  const revoke = async (d: PdsDocument) => {
    setRevoked(null);
    setRevokeError(null);
    if (!window.confirm(t('pds.confirmRevoke', { title: d.title }))) return;
    setRevoking(d.id);
    try {
      await api.revokePdsDocument(d.id);
      setRevoked(d.title);
      setReloadKey((k) => k + 1);
    } catch (e) {
      setRevokeError(errorMessage(e));
    } finally {
      setRevoking(null);
    }
  };

  const contentUrl = (id: number) => pdsDocumentContentUrl(id, purpose.trim() || undefined);

  return (
    <section className="card" aria-labelledby="pds-title" data-testid="pds">
      <h2 id="pds-title" className="card__title">
        {t('pds.title')}
      </h2>
      <p className="muted">{t('pds.intro')}</p>
      {error && (
        <Alert tone={error.tone} testId={error.testId}>
          {error.text}{' '}
          {error.tone === 'error' && (
            <button type="button" className="btn btn--ghost btn--small" onClick={() => setReloadKey((k) => k + 1)}>
              {t('errors.retry')}
            </button>
          )}
        </Alert>
      )}
      {revoked && (
        <Alert tone="success" testId="pds-revoked">
          {t('pds.revoked', { title: revoked })}
        </Alert>
      )}
      {revokeError && (
        <Alert tone="error" testId="pds-revoke-error">
          {revokeError}
        </Alert>
      )}
      {!items && !error && <p className="muted">{t('app.loading')}</p>}
      {items && items.length === 0 && <p data-testid="pds-empty">{t('pds.empty')}</p>}
      {items && items.length > 0 && (
        <>
          <p className="muted">{t('documents.count', { count: items.length })}</p>
          <DocumentTable
            items={items}
            testId="pds"
            contentUrl={contentUrl}
            showSource
            onRevoke={canWrite ? (d) => void revoke(d) : undefined}
            revoking={revoking}
          />
        </>
      )}
      {canWrite && items && (
        <>
          <h3 className="result__subtitle doc-add-title">{t('documents.addTitle')}</h3>
          <DocumentUploadForm
            owner={kind}
            idPrefix="pds"
            full
            upload={(file, meta) => api.addPdsDocument(kind, ownerKey, file, meta)}
            onAdded={() => {
              setRevoked(null);
              setRevokeError(null);
              setReloadKey((k) => k + 1);
            }}
          />
        </>
      )}
    </section>
  );
}
