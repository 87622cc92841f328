import { Fragment, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../../api';
import { RetryAlert } from '../../../components/Alert';
import { SelectField, TextField } from '../../../components/Field';
import { statusTone } from '../../../exchange';
import { formatBytes, formatDateTime, formatNumber } from '../../../format';
import { locale } from '../../../i18n';
import { navigate, useLocation } from '../../../router';
import { Card, useLoad, Wbr } from './common';

const LIMITS = ['100', '500'] as const;

interface Filters {
  client: string;
  service: string;
  status: string;
  limit: string;
}

function filtersOf(search: URLSearchParams): Filters {
  const limit = search.get('limit') ?? '';
  return {
    client: (search.get('client') ?? '').trim(),
    service: (search.get('service') ?? '').trim(),
    status: (search.get('status') ?? '').trim(),
    limit: (LIMITS as readonly string[]).includes(limit) ? limit : '100',
  };
}

function hrefOf(f: Filters): string {
  const qs = new URLSearchParams();
  if (f.client) qs.set('client', f.client);
  if (f.service) qs.set('service', f.service);
  if (f.status) qs.set('status', f.status);
  if (f.limit !== '100') qs.set('limit', f.limit);
  const q = qs.toString();
  return `/admin/exchange/messages${q ? `?${q}` : ''}`;
}

/** Microseconds as milliseconds ("12,3 ms"). */
function latency(us: number): string {
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: us < 10_000 ? 1 : 0 }).format(us / 1000)} ms`;
}

/** The message log: /admin/exchange/messages?client=&service=&status=&limit= */
export function MessagesTab() {
  const { t } = useTranslation();
  const { search } = useLocation();
  const filters = filtersOf(search);
  const { client, service, status, limit } = filters;
  const [draft, setDraft] = useState<Filters>(filters);
  const [statusError, setStatusError] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  useEffect(() => setDraft({ client, service, status, limit }), [client, service, status, limit]);

  const valid = !status || /^\d{3}$/.test(status);
  const log = useLoad(
    () =>
      valid
        ? api.exchangeMessages({ client, service, status, limit: Number(limit) })
        : Promise.resolve({ items: [] }),
    [client, service, status, limit],
  );
  const systems = useLoad(() => api.exchangeSystems(), []);
  const services = useLoad(() => api.exchangeServices(), []);
  const items = log.data?.items ?? null;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const next = { ...draft, client: draft.client.trim(), service: draft.service.trim(), status: draft.status.trim() };
    if (next.status && !/^\d{3}$/.test(next.status)) {
      setStatusError(t('exchange.messages.statusInvalid'));
      return;
    }
    setStatusError(null);
    const href = hrefOf(next);
    if (href === `${window.location.pathname}${window.location.search}`) log.reload();
    else navigate(href);
  };

  const clear = () => {
    setStatusError(null);
    navigate('/admin/exchange/messages');
  };

  return (
    <>
      <Card id="messages-search-title" title={t('exchange.messages.searchTitle')}>
        <p className="muted">{t('exchange.messages.intro')}</p>
        <form className="form form--filters form--messages" onSubmit={submit} role="search" data-testid="messages-search">
          <TextField
            id="messages-client"
            label={t('exchange.messages.client')}
            list="messages-clients"
            autoComplete="off"
            spellCheck={false}
            placeholder="VN/GOV/…/…"
            value={draft.client}
            onChange={(e) => setDraft({ ...draft, client: e.target.value })}
            data-testid="messages-client"
          />
          <datalist id="messages-clients">
            {(systems.data?.items ?? []).map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </datalist>
          <TextField
            id="messages-service"
            label={t('exchange.messages.service')}
            placeholder={t('exchange.messages.serviceHint')}
            list="messages-services"
            autoComplete="off"
            spellCheck={false}
            value={draft.service}
            onChange={(e) => setDraft({ ...draft, service: e.target.value })}
            data-testid="messages-service"
          />
          <datalist id="messages-services">
            {(services.data?.items ?? []).map((s) => (
              <option key={s.id} value={`${s.provider}/${s.code}`}>
                {s.description}
              </option>
            ))}
          </datalist>
          <TextField
            id="messages-status"
            label={t('exchange.messages.status')}
            inputMode="numeric"
            placeholder="200, 403, 502…"
            maxLength={3}
            value={draft.status}
            error={statusError}
            onChange={(e) => setDraft({ ...draft, status: e.target.value })}
            data-testid="messages-status"
          />
          <SelectField
            id="messages-limit"
            label={t('exchange.messages.limit')}
            value={draft.limit}
            onChange={(e) => setDraft({ ...draft, limit: e.target.value })}
          >
            {LIMITS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </SelectField>
          <div className="form__actions form__actions--inline">
            <button type="submit" className="btn btn--primary" data-testid="messages-submit">
              {t('admin.search')}
            </button>
            <button type="button" className="btn btn--ghost" onClick={clear}>
              {t('admin.clear')}
            </button>
          </div>
        </form>
      </Card>

      <Card
        id="messages-title"
        title={items ? t('exchange.messages.count', { count: items.length }) : t('exchange.messages.listTitle')}
        busy={log.loading}
        testId="messages-card"
        tools={
          <button type="button" className="btn btn--small btn--ghost" onClick={log.reload} disabled={log.loading}>
            {t('exchange.refresh')}
          </button>
        }
      >
        {!valid && <p className="field__error">{t('exchange.messages.statusInvalid')}</p>}
        {log.error && <RetryAlert error={log.error} testId="messages-error" onRetry={log.reload} />}
        {items === null && log.loading && <p className="muted">{t('app.loading')}</p>}
        {items !== null && items.length === 0 && !log.error && (
          <p className="muted" data-testid="messages-empty">
            {t('exchange.messages.empty')}
          </p>
        )}
        {items !== null && items.length > 0 && (
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="messages-title">
            <table className="table table--messages" data-testid="messages-table">
              <thead>
                <tr>
                  <th scope="col">{t('exchange.messages.at')}</th>
                  <th scope="col">{t('exchange.messages.clientService')}</th>
                  <th scope="col">{t('exchange.messages.request')}</th>
                  <th scope="col">{t('exchange.messages.result')}</th>
                  <th scope="col" className="num">
                    {t('exchange.messages.latency')}
                  </th>
                  <th scope="col" className="num" title={t('exchange.messages.sizesLong')}>
                    {t('exchange.messages.sizes')}
                  </th>
                  <th scope="col">{t('exchange.messages.hash')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((m) => (
                  <Fragment key={m.id}>
                    <tr data-testid={`message-row-${m.id}`}>
                      <td className="nowrap">{formatDateTime(m.at)}</td>
                      <td>
                        <code>
                          <Wbr text={m.client || '—'} />
                        </code>
                        <div className="cell-note">
                          →{' '}
                          <code>
                            <Wbr text={m.service || '—'} />
                          </code>
                        </div>
                      </td>
                      <td>
                        <code>{m.method}</code>{' '}
                        <code>
                          <Wbr text={m.path || ''} />
                        </code>
                      </td>
                      <td>
                        <span className={`badge badge--st-${statusTone(m.status)}`}>{m.status}</span>
                        {m.error && (
                          <div className="cell-note">
                            <code>{m.error}</code>
                          </div>
                        )}
                      </td>
                      <td className="num">{latency(m.latency_us)}</td>
                      <td className="num">
                        {formatBytes(m.request_bytes)} → {formatBytes(m.response_bytes)}
                      </td>
                      <td>
                        <button
                          type="button"
                          className="btn btn--small btn--ghost"
                          aria-expanded={open === m.id}
                          aria-controls={`message-detail-${m.id}`}
                          onClick={() => setOpen(open === m.id ? null : m.id)}
                          title={m.hash}
                        >
                          <code>{m.hash.slice(0, 10)}…</code>
                        </button>
                      </td>
                    </tr>
                    {open === m.id && (
                      <tr id={`message-detail-${m.id}`} className="row-detail">
                        <td colSpan={7}>
                          <dl className="details">
                            {(
                              [
                                ['messageId', m.message_id],
                                ['requestId', m.request_id],
                                ['userId', m.user_id || '—'],
                                ['hash', m.hash],
                                ['bytes', `${formatNumber(m.request_bytes)} → ${formatNumber(m.response_bytes)} B`],
                                ['latencyUs', `${formatNumber(m.latency_us)} µs`],
                              ] as const
                            ).map(([k, v]) => (
                              <div key={k} className="details__row">
                                <dt>{t(`exchange.messages.${k}`)}</dt>
                                <dd>
                                  <code>{v}</code>
                                </dd>
                              </div>
                            ))}
                          </dl>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
