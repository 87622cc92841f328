import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../../api';
import { Alert, RetryAlert } from '../../../components/Alert';
import { SelectField, TextField } from '../../../components/Field';
import { isSystemId } from '../../../exchange';
import { formatDateTime, formatNumber } from '../../../format';
import { Link } from '../../../router';
import type { Account, ExchangeSystem } from '../../../types';
import { accountLabel, Card, StateBadge, useLoad, useMemberAccounts, Wbr } from './common';

type FieldName = 'id' | 'name' | 'account_id' | 'rate_per_second';

function RegisterSystemForm({
  accounts,
  accountsError,
  onRegistered,
}: {
  accounts: Account[] | null;
  accountsError: string | null;
  onRegistered: (s: ExchangeSystem) => void;
}) {
  const { t } = useTranslation();
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [accountId, setAccountId] = useState('');
  const [rate, setRate] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  // Without the account list (an error), the account is typed by its number.
  const picker = !accountsError;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const errs: Partial<Record<FieldName, string>> = {};
    const sid = id.trim();
    if (!sid) errs.id = t('admin.fieldRequired');
    else if (!isSystemId(sid)) errs.id = t('exchange.systems.idInvalid');
    if (!name.trim()) errs.name = t('admin.fieldRequired');
    const acc = Number(accountId);
    if (!accountId || !Number.isInteger(acc) || acc <= 0) errs.account_id = t('exchange.systems.accountRequired');
    const r = rate.trim() ? Number(rate) : 0;
    if (!Number.isInteger(r) || r < 0 || r > 1_000_000) errs.rate_per_second = t('exchange.systems.rateInvalid');
    setErrors(errs);
    if (Object.keys(errs).length) return;

    setBusy(true);
    try {
      const res = await api.registerSystem({
        id: sid,
        name: name.trim(),
        account_id: acc,
        ...(r ? { rate_per_second: r } : {}),
      });
      setId('');
      setName('');
      setRate('');
      onRegistered(res.system);
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field === 'id' || field === 'name' || field === 'account_id' || field === 'rate_per_second') {
        setErrors({ [field]: errorMessage(err) });
      } else {
        setFormError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form form--grid" onSubmit={(e) => void submit(e)} noValidate data-testid="system-form">
      {formError && (
        <div className="form__full">
          <Alert tone="error" testId="system-form-error">
            {formError}
          </Alert>
        </div>
      )}
      <TextField
        id="system-id"
        label={t('exchange.systems.id')}
        hint={t('exchange.systems.idHint')}
        autoComplete="off"
        spellCheck={false}
        value={id}
        error={errors.id}
        onChange={(e) => setId(e.target.value)}
        data-testid="system-id"
      />
      <TextField
        id="system-name"
        label={t('exchange.systems.name')}
        autoComplete="off"
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
        data-testid="system-name"
      />
      {picker ? (
        <SelectField
          id="system-account"
          label={t('exchange.systems.account')}
          hint={t('exchange.systems.accountHint')}
          value={accountId}
          error={errors.account_id}
          onChange={(e) => setAccountId(e.target.value)}
          data-testid="system-account"
        >
          <option value="">{t('exchange.choose')}</option>
          {(accounts ?? []).map((a) => (
            <option key={a.id} value={String(a.id)} disabled={a.status !== 'active'}>
              {a.username} — {a.display_name}
            </option>
          ))}
        </SelectField>
      ) : (
        <TextField
          id="system-account"
          type="number"
          min={1}
          label={t('exchange.systems.accountId')}
          hint={accountsError ?? undefined}
          value={accountId}
          error={errors.account_id}
          onChange={(e) => setAccountId(e.target.value)}
          data-testid="system-account"
        />
      )}
      <TextField
        id="system-rate"
        type="number"
        min={0}
        max={1000000}
        label={t('exchange.systems.rate')}
        hint={t('exchange.systems.rateHint')}
        value={rate}
        error={errors.rate_per_second}
        onChange={(e) => setRate(e.target.value)}
        data-testid="system-rate"
      />
      {picker && accounts?.length === 0 && (
        <p className="form__full muted">
          {t('exchange.systems.noAccounts')} <Link to="/admin/accounts">{t('nav.admin')}</Link>
        </p>
      )}
      <div className="form__actions form__full">
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="system-submit">
          {busy ? t('exchange.saving') : t('exchange.systems.submit')}
        </button>
      </div>
    </form>
  );
}

export function SystemsTab() {
  const { t } = useTranslation();
  const systems = useLoad(() => api.exchangeSystems(), []);
  const accounts = useMemberAccounts();
  const [message, setMessage] = useState<string | null>(null);
  const items = systems.data?.items ?? null;

  return (
    <>
      {message && (
        <Alert tone="success" testId="exchange-message">
          {message}
        </Alert>
      )}
      <Card id="systems-title" title={t('exchange.systems.listTitle')} busy={systems.loading} testId="systems-card">
        {systems.error && <RetryAlert error={systems.error} testId="systems-error" onRetry={systems.reload} />}
        {items === null && systems.loading && <p className="muted">{t('app.loading')}</p>}
        {items !== null && items.length === 0 && <p className="muted" data-testid="systems-empty">{t('exchange.systems.empty')}</p>}
        {items !== null && items.length > 0 && (
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="systems-title">
            <table className="table" data-testid="systems-table">
              <thead>
                <tr>
                  <th scope="col">{t('exchange.systems.system')}</th>
                  <th scope="col">{t('exchange.systems.account')}</th>
                  <th scope="col" className="num">
                    {t('exchange.systems.rateCol')}
                  </th>
                  <th scope="col">{t('exchange.colStatus')}</th>
                  <th scope="col">{t('exchange.colActions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((s) => (
                  <tr key={s.id} data-testid={`system-row-${s.id}`}>
                    <td>
                      <strong>{s.name}</strong>
                      <div className="cell-note">
                        <code>
                          <Wbr text={s.id} />
                        </code>
                      </div>
                    </td>
                    <td data-testid={`system-account-${s.id}`}>{accountLabel(accounts.data, s.account_id)}</td>
                    <td className="num">
                      {s.rate_per_second > 0 ? formatNumber(s.rate_per_second) : t('exchange.systems.rateDefault')}
                    </td>
                    <td>
                      <StateBadge state={s.status} group="systems" />
                      <div className="cell-note nowrap">{formatDateTime(s.created_at)}</div>
                    </td>
                    <td className="table__actions">
                      <Link
                        to={`/admin/exchange/keys?account=${s.account_id}`}
                        className="btn btn--small btn--ghost"
                        data-testid={`system-keys-${s.id}`}
                      >
                        {t('exchange.systems.keys')}
                      </Link>
                      <Link
                        to={`/admin/exchange/messages?${new URLSearchParams({ client: s.id }).toString()}`}
                        className="btn btn--small btn--ghost"
                      >
                        {t('exchange.systems.messages')}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <Card id="system-form-title" title={t('exchange.systems.formTitle')}>
        <p className="muted">{t('exchange.systems.formIntro')}</p>
        <RegisterSystemForm
          accounts={accounts.data}
          accountsError={accounts.error}
          onRegistered={(s) => {
            setMessage(t('exchange.systems.registered', { id: s.id }));
            systems.reload();
          }}
        />
      </Card>
    </>
  );
}
