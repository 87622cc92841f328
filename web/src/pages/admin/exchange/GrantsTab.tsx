import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../../api';
import { Alert, RetryAlert } from '../../../components/Alert';
import { SelectField, TextField } from '../../../components/Field';
import { grantState, localToIso, type GrantState } from '../../../exchange';
import { formatDateTime } from '../../../format';
import { Link, useLocation } from '../../../router';
import { HTTP_METHODS, type ExchangeService, type ExchangeSystem } from '../../../types';
import { Card, StateBadge, useLoad, Wbr } from './common';

type FieldName = 'client' | 'service_id' | 'methods' | 'path_prefix' | 'valid_from' | 'valid_to';
const FIELDS: readonly string[] = ['client', 'service_id', 'methods', 'path_prefix', 'valid_from', 'valid_to'];
const GRANT_STATES: readonly GrantState[] = ['active', 'pending', 'expired', 'revoked'];

export function serviceName(s: ExchangeService): string {
  return `${s.provider}/${s.code}`;
}

function CreateGrantForm({
  systems,
  services,
  initialService,
  onCreated,
}: {
  systems: ExchangeSystem[];
  services: ExchangeService[];
  initialService: string;
  onCreated: (id: number) => void;
}) {
  const { t } = useTranslation();
  const [client, setClient] = useState('');
  const [serviceId, setServiceId] = useState(
    services.some((s) => String(s.id) === initialService) ? initialService : '',
  );
  const [methods, setMethods] = useState<string[]>([]);
  const [prefix, setPrefix] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});

  const service = services.find((s) => String(s.id) === serviceId) ?? null;
  // Only the methods the service allows can be granted; none ticked: all of them.
  const offered = service ? HTTP_METHODS.filter((m) => service.methods.includes(m)) : HTTP_METHODS;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const errs: Partial<Record<FieldName, string>> = {};
    if (!client) errs.client = t('exchange.grants.clientRequired');
    if (!service) errs.service_id = t('exchange.grants.serviceRequired');
    const p = prefix.trim();
    if (p && !p.startsWith('/')) errs.path_prefix = t('exchange.grants.prefixInvalid');
    const fromIso = localToIso(from);
    const toIso = localToIso(to);
    if (from && !fromIso) errs.valid_from = t('exchange.grants.dateInvalid');
    if (to && !toIso) errs.valid_to = t('exchange.grants.dateInvalid');
    if (fromIso && toIso && toIso <= fromIso) errs.valid_to = t('exchange.grants.toBeforeFrom');
    setErrors(errs);
    if (Object.keys(errs).length || !service) return;

    setBusy(true);
    try {
      const chosen = methods.filter((m) => offered.includes(m as (typeof offered)[number]));
      const res = await api.createGrant({
        client,
        service_id: service.id,
        ...(chosen.length ? { methods: chosen } : {}),
        ...(p ? { path_prefix: p } : {}),
        ...(fromIso ? { valid_from: fromIso } : {}),
        ...(toIso ? { valid_to: toIso } : {}),
      });
      setMethods([]);
      setPrefix('');
      setFrom('');
      setTo('');
      onCreated(res.id);
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field && FIELDS.includes(field)) setErrors({ [field]: errorMessage(err) });
      else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (systems.length === 0 || services.length === 0) {
    return (
      <p className="muted" data-testid="grant-form-missing">
        {t('exchange.grants.needBoth')} <Link to="/admin/exchange">{t('exchange.tabs.systems')}</Link>,{' '}
        <Link to="/admin/exchange/services">{t('exchange.tabs.services')}</Link>
      </p>
    );
  }

  return (
    <form className="form form--grid" onSubmit={(e) => void submit(e)} noValidate data-testid="grant-form">
      {formError && (
        <div className="form__full">
          <Alert tone="error" testId="grant-form-error">
            {formError}
          </Alert>
        </div>
      )}
      <SelectField
        id="grant-client"
        label={t('exchange.grants.client')}
        value={client}
        error={errors.client}
        onChange={(e) => setClient(e.target.value)}
        data-testid="grant-client"
      >
        <option value="">{t('exchange.choose')}</option>
        {systems.map((s) => (
          <option key={s.id} value={s.id}>
            {s.id} — {s.name}
          </option>
        ))}
      </SelectField>
      <SelectField
        id="grant-service"
        label={t('exchange.grants.service')}
        value={serviceId}
        error={errors.service_id}
        onChange={(e) => setServiceId(e.target.value)}
        data-testid="grant-service"
      >
        <option value="">{t('exchange.choose')}</option>
        {services.map((s) => (
          <option key={s.id} value={String(s.id)}>
            {serviceName(s)} ({s.version})
          </option>
        ))}
      </SelectField>
      <fieldset className="choice-group" data-testid="grant-methods">
        <legend className="field__label">{t('exchange.grants.methods')}</legend>
        <div className="method-checks">
          {offered.map((m) => (
            <label key={m} className="check">
              <input
                type="checkbox"
                checked={methods.includes(m)}
                onChange={(e) =>
                  setMethods((list) => (e.target.checked ? [...list, m] : list.filter((x) => x !== m)))
                }
                data-testid={`grant-method-${m}`}
              />
              <code>{m}</code>
            </label>
          ))}
        </div>
        <p className="field__hint">{t('exchange.grants.methodsHint')}</p>
      </fieldset>
      <TextField
        id="grant-prefix"
        label={t('exchange.grants.prefix')}
        hint={t('exchange.grants.prefixHint')}
        placeholder="/"
        autoComplete="off"
        spellCheck={false}
        value={prefix}
        error={errors.path_prefix}
        onChange={(e) => setPrefix(e.target.value)}
        data-testid="grant-prefix"
      />
      <TextField
        id="grant-from"
        type="datetime-local"
        label={t('exchange.grants.validFrom')}
        hint={t('exchange.grants.validHint')}
        value={from}
        error={errors.valid_from}
        onChange={(e) => setFrom(e.target.value)}
        data-testid="grant-from"
      />
      <TextField
        id="grant-to"
        type="datetime-local"
        label={t('exchange.grants.validTo')}
        hint={t('exchange.grants.validHint')}
        value={to}
        error={errors.valid_to}
        onChange={(e) => setTo(e.target.value)}
        data-testid="grant-to"
      />
      <div className="form__actions form__full">
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="grant-submit">
          {busy ? t('exchange.saving') : t('exchange.grants.submit')}
        </button>
      </div>
    </form>
  );
}

export function GrantsTab() {
  const { t } = useTranslation();
  const { search } = useLocation();
  const grants = useLoad(() => api.exchangeGrants(), []);
  const services = useLoad(() => api.exchangeServices(), []);
  const systems = useLoad(() => api.exchangeSystems(), []);
  const [filter, setFilter] = useState<'' | GrantState>('');
  const [message, setMessage] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<number | null>(null);

  const byId = useMemo(() => new Map((services.data?.items ?? []).map((s) => [s.id, s])), [services.data]);
  const now = Date.now();
  const all = grants.data?.items ?? null;
  const items = all?.filter((g) => !filter || grantState(g, now) === filter) ?? null;

  const revoke = async (id: number) => {
    if (!window.confirm(t('exchange.grants.confirmRevoke', { id }))) return;
    setBusyId(id);
    setActionError(null);
    setMessage(null);
    try {
      await api.revokeGrant(id);
      setMessage(t('exchange.grants.revoked', { id }));
    } catch (e) {
      setActionError(errorMessage(e));
    } finally {
      setBusyId(null);
      grants.reload();
    }
  };

  return (
    <>
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
      <Card
        id="grants-title"
        title={t('exchange.grants.listTitle')}
        busy={grants.loading}
        testId="grants-card"
        tools={
          <div className="inline-filter">
            <label htmlFor="grant-filter">{t('exchange.colStatus')}</label>
            <select
              id="grant-filter"
              className="input input--small"
              value={filter}
              onChange={(e) => setFilter(e.target.value as '' | GrantState)}
              data-testid="grant-filter"
            >
              <option value="">{t('exchange.all')}</option>
              {GRANT_STATES.map((s) => (
                <option key={s} value={s}>
                  {t(`exchange.grants.states.${s}`)}
                </option>
              ))}
            </select>
          </div>
        }
      >
        {grants.error && <RetryAlert error={grants.error} testId="grants-error" onRetry={grants.reload} />}
        {items === null && grants.loading && <p className="muted">{t('app.loading')}</p>}
        {items !== null && items.length === 0 && <p className="muted" data-testid="grants-empty">{t('exchange.grants.empty')}</p>}
        {items !== null && items.length > 0 && (
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="grants-title">
            <table className="table" data-testid="grants-table">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t('exchange.grants.clientService')}</th>
                  <th scope="col">{t('exchange.grants.scope')}</th>
                  <th scope="col">{t('exchange.grants.validity')}</th>
                  <th scope="col">{t('exchange.colStatus')}</th>
                  <th scope="col">{t('exchange.colActions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((g) => {
                  const state = grantState(g, now);
                  const svc = byId.get(g.service_id);
                  return (
                    <tr key={g.id} data-testid={`grant-row-${g.id}`} data-client={g.client} data-service={svc ? serviceName(svc) : ''}>
                      <td className="num">{g.id}</td>
                      <td>
                        <code>
                          <Wbr text={g.client} />
                        </code>
                        <div className="cell-note">
                          →{' '}
                          <code>
                            <Wbr text={svc ? serviceName(svc) : `#${g.service_id}`} />
                          </code>
                        </div>
                      </td>
                      <td className="nowrap">
                        <code>{g.methods ? g.methods.split(',').join(', ') : t('exchange.grants.allMethods')}</code>
                        <div className="cell-note">
                          <code>{g.path_prefix || t('exchange.grants.allPaths')}</code>
                        </div>
                      </td>
                      <td>
                        <span className="nowrap">
                          {g.valid_from || g.valid_to ? (
                            <>
                              {formatDateTime(g.valid_from)} → {formatDateTime(g.valid_to)}
                            </>
                          ) : (
                            <span className="muted">{t('exchange.grants.noLimit')}</span>
                          )}
                        </span>
                        <div className="cell-note" title={g.created_by}>
                          {t('exchange.grants.createdAt', { at: formatDateTime(g.created_at) })}
                        </div>
                      </td>
                      <td>
                        <StateBadge state={state} group="grants" testId={`grant-state-${g.id}`} />
                        {g.revoked_at && <div className="cell-note nowrap">{formatDateTime(g.revoked_at)}</div>}
                      </td>
                      <td className="table__actions">
                        {!g.revoked_at && (
                          <button
                            type="button"
                            className="btn btn--small btn--danger-ghost"
                            disabled={busyId === g.id}
                            onClick={() => void revoke(g.id)}
                            data-testid={`grant-revoke-${g.id}`}
                          >
                            {t('exchange.grants.revoke')}
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

      <Card id="grant-form-title" title={t('exchange.grants.formTitle')}>
        {(systems.error || services.error) && (
          <RetryAlert
            error={systems.error ?? services.error ?? ''}
            onRetry={() => {
              systems.reload();
              services.reload();
            }}
          />
        )}
        {(systems.data === null || services.data === null) && (systems.loading || services.loading) && (
          <p className="muted">{t('app.loading')}</p>
        )}
        {systems.data && services.data && (
          <CreateGrantForm
            systems={systems.data.items}
            services={services.data.items}
            initialService={search.get('service') ?? ''}
            onCreated={(id) => {
              setMessage(t('exchange.grants.created', { id }));
              setActionError(null);
              grants.reload();
            }}
          />
        )}
      </Card>
    </>
  );
}
