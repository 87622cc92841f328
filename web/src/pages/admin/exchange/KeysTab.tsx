import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../../api';
import { Alert, RetryAlert } from '../../../components/Alert';
import { SelectField, TextField } from '../../../components/Field';
import { keyState, OVERLAP_DEFAULT, OVERLAP_MAX } from '../../../exchange';
import { formatDateTime } from '../../../format';
import { navigate, useLocation } from '../../../router';
import type { ApiKey, IssuedApiKey } from '../../../types';
import { Card, SecretNotice, StateBadge, useLoad, useMemberAccounts } from './common';

/** The keys of one member-system account: list, issue (rotation with an overlap), revoke. */
function AccountKeys({ accountId, username }: { accountId: number; username: string }) {
  const { t } = useTranslation();
  const keys = useLoad(() => api.apiKeys(accountId), [accountId]);
  const [overlap, setOverlap] = useState(String(OVERLAP_DEFAULT));
  const [overlapError, setOverlapError] = useState<string | null>(null);
  const [issued, setIssued] = useState<IssuedApiKey | null>(null);
  const [busy, setBusy] = useState(false);
  const [busyId, setBusyId] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const items: ApiKey[] | null = keys.data?.items ?? null;
  const hasLive = (items ?? []).some((k) => !k.revoked_at && keyState(k) !== 'expired');

  const issue = async (e: FormEvent) => {
    e.preventDefault();
    setActionError(null);
    setMessage(null);
    const h = Number(overlap);
    if (!overlap.trim() || !Number.isInteger(h) || h < 0 || h > OVERLAP_MAX) {
      setOverlapError(t('exchange.keys.overlapInvalid', { max: OVERLAP_MAX }));
      return;
    }
    setOverlapError(null);
    if (hasLive && h === 0 && !window.confirm(t('exchange.keys.confirmNoOverlap'))) return;
    setBusy(true);
    try {
      setIssued(await api.issueApiKey(accountId, h));
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setBusy(false);
      keys.reload();
    }
  };

  const revoke = async (k: ApiKey) => {
    if (!window.confirm(t('exchange.keys.confirmRevoke', { prefix: k.prefix }))) return;
    setBusyId(k.id);
    setActionError(null);
    setMessage(null);
    try {
      await api.revokeApiKey(accountId, k.id);
      setMessage(t('exchange.keys.revoked', { prefix: k.prefix }));
    } catch (err) {
      setActionError(errorMessage(err));
    } finally {
      setBusyId(null);
      keys.reload();
    }
  };

  return (
    <>
      {issued && (
        <SecretNotice
          title={t('exchange.keys.issuedTitle')}
          label={t('exchange.keys.issuedFor', { username })}
          value={issued.key}
          note={t('exchange.keys.issuedNote')}
          onDismiss={() => setIssued(null)}
          testId="key-issued"
        />
      )}
      {message && (
        <Alert tone="success" testId="exchange-message">
          {message}
        </Alert>
      )}
      {actionError && (
        <Alert tone="error" testId="exchange-action-error">
          {actionError}
        </Alert>
      )}
      <Card id="keys-title" title={t('exchange.keys.listTitle', { username })} busy={keys.loading} testId="keys-card">
        {keys.error && <RetryAlert error={keys.error} testId="keys-error" onRetry={keys.reload} />}
        {items === null && keys.loading && <p className="muted">{t('app.loading')}</p>}
        {items !== null && items.length === 0 && <p className="muted" data-testid="keys-empty">{t('exchange.keys.empty')}</p>}
        {items !== null && items.length > 0 && (
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="keys-title">
            <table className="table" data-testid="keys-table">
              <thead>
                <tr>
                  <th scope="col">{t('exchange.keys.prefix')}</th>
                  <th scope="col">{t('exchange.colCreated')}</th>
                  <th scope="col">{t('exchange.keys.expires')}</th>
                  <th scope="col">{t('exchange.colStatus')}</th>
                  <th scope="col">{t('exchange.colActions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((k) => {
                  const state = keyState(k);
                  return (
                    <tr key={k.id} data-testid={`key-row-${k.prefix}`}>
                      <td>
                        <code>ltk_{k.prefix}_…</code>
                      </td>
                      <td className="nowrap">{formatDateTime(k.created_at)}</td>
                      <td className="nowrap">{k.revoked_at ? formatDateTime(k.revoked_at) : formatDateTime(k.expires_at)}</td>
                      <td>
                        <StateBadge state={state} group="keys" testId={`key-state-${k.prefix}`} />
                      </td>
                      <td className="table__actions">
                        {state !== 'revoked' && state !== 'expired' && (
                          <button
                            type="button"
                            className="btn btn--small btn--danger-ghost"
                            disabled={busyId === k.id}
                            onClick={() => void revoke(k)}
                            data-testid={`key-revoke-${k.prefix}`}
                          >
                            {t('exchange.keys.revoke')}
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card id="key-form-title" title={t('exchange.keys.formTitle')}>
        <p className="muted">{t('exchange.keys.formIntro')}</p>
        <form className="form form--grid" onSubmit={(e) => void issue(e)} noValidate data-testid="key-form">
          <TextField
            id="key-overlap"
            type="number"
            min={0}
            max={OVERLAP_MAX}
            label={t('exchange.keys.overlap')}
            hint={t('exchange.keys.overlapHint')}
            value={overlap}
            error={overlapError}
            onChange={(e) => setOverlap(e.target.value)}
            data-testid="key-overlap"
          />
          <div className="form__actions form__full">
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="key-submit">
              {busy ? t('exchange.saving') : hasLive ? t('exchange.keys.rotate') : t('exchange.keys.issue')}
            </button>
          </div>
        </form>
      </Card>
    </>
  );
}

export function KeysTab() {
  const { t } = useTranslation();
  const { search } = useLocation();
  const accounts = useMemberAccounts();
  const systems = useLoad(() => api.exchangeSystems(), []);
  const raw = search.get('account') ?? '';
  const accountId = /^\d+$/.test(raw) ? Number(raw) : null;
  const account = accounts.data?.find((a) => a.id === accountId) ?? null;
  const bound = (systems.data?.items ?? []).filter((s) => s.account_id === accountId);

  return (
    <>
      <Card id="keys-account-title" title={t('exchange.keys.accountTitle')} testId="keys-account-card">
        <p className="muted">{t('exchange.keys.intro')}</p>
        {accounts.error && <RetryAlert error={accounts.error} onRetry={accounts.reload} />}
        <div className="form form--grid">
          <SelectField
            id="keys-account"
            label={t('exchange.systems.account')}
            value={accountId === null ? '' : String(accountId)}
            onChange={(e) =>
              navigate(e.target.value ? `/admin/exchange/keys?account=${e.target.value}` : '/admin/exchange/keys')
            }
            data-testid="keys-account"
          >
            <option value="">{accounts.loading && !accounts.data ? t('app.loading') : t('exchange.choose')}</option>
            {(accounts.data ?? []).map((a) => (
              <option key={a.id} value={String(a.id)}>
                {a.username} — {a.display_name}
              </option>
            ))}
            {accountId !== null && accounts.data && !account && <option value={String(accountId)}>#{accountId}</option>}
          </SelectField>
        </div>
        {accountId !== null && (
          <p data-testid="keys-systems">
            {t('exchange.keys.boundSystems')}{' '}
            {bound.length ? (
              bound.map((s, i) => (
                <span key={s.id}>
                  {i > 0 && ', '}
                  <code>{s.id}</code>
                </span>
              ))
            ) : (
              <span className="muted">{t('exchange.keys.noSystem')}</span>
            )}
          </p>
        )}
      </Card>
      {accountId !== null && (
        <AccountKeys key={accountId} accountId={accountId} username={account?.username ?? `#${accountId}`} />
      )}
    </>
  );
}
