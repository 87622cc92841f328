import { useTranslation } from 'react-i18next';
import { api } from '../../../api';
import { RetryAlert } from '../../../components/Alert';
import { formatDateTime, formatNumber } from '../../../format';
import { Link, navigate, useLocation } from '../../../router';
import { DELIVERY_STATUSES, type ExchangeSubscription } from '../../../types';
import { ActionAlerts, Card, StateBadge, useLoad, useRowAction, Wbr } from './common';

/** The filter of a subscription as "field = value" pairs; '' when it has none (or is not an object). */
function filterText(filter: string): string {
  try {
    const f: unknown = JSON.parse(filter || '{}');
    if (!f || typeof f !== 'object' || Array.isArray(f)) return '';
    return Object.entries(f as Record<string, unknown>)
      .map(([k, v]) => `${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ');
  } catch {
    return filter;
  }
}

/** Subscriptions to event types with their deliveries: /admin/exchange/subscriptions?system=&topic= */
export function SubscriptionsTab() {
  const { t } = useTranslation();
  const { search } = useLocation();
  const system = (search.get('system') ?? '').trim();
  const topic = (search.get('topic') ?? '').trim();
  const list = useLoad(() => api.exchangeSubscriptions({ system, topic }), [system, topic]);
  const systems = useLoad(() => api.exchangeSystems(), []);
  const types = useLoad(() => api.eventTypes(), []);
  const { busyId, message, error: actionError, run } = useRowAction();
  const items = list.data?.items ?? null;

  // The choices of the filters, with the current value even when it is not (or no longer) listed.
  const systemIds = (systems.data?.items ?? []).map((s) => s.id);
  if (system && !systemIds.includes(system)) systemIds.push(system);
  const topicNames = (types.data?.items ?? []).map((e) => e.name);
  if (topic && !topicNames.includes(topic)) topicNames.push(topic);

  const go = (next: { system?: string; topic?: string }) => {
    const qs = new URLSearchParams();
    const sys = next.system ?? system;
    const top = next.topic ?? topic;
    if (sys) qs.set('system', sys);
    if (top) qs.set('topic', top);
    const q = qs.toString();
    navigate(`/admin/exchange/subscriptions${q ? `?${q}` : ''}`);
  };

  const act = async (sub: ExchangeSubscription, action: 'pause' | 'resume') => {
    await run(
      sub.id,
      async () => {
        await api.subscriptionAction(sub.id, action);
        return t(`exchange.subscriptions.done.${action}`, { id: sub.id, system: sub.system });
      },
      list.reload,
    );
  };

  return (
    <>
      <ActionAlerts message={message} error={actionError} />
      <Card
        id="subscriptions-title"
        title={items ? t('exchange.subscriptions.count', { count: items.length }) : t('exchange.subscriptions.listTitle')}
        busy={list.loading}
        testId="subscriptions-card"
        tools={
          <div className="inline-filter">
            <label htmlFor="subscriptions-system">{t('exchange.subscriptions.subscriber')}</label>
            <select
              id="subscriptions-system"
              className="input input--small"
              value={system}
              onChange={(e) => go({ system: e.target.value })}
              data-testid="subscriptions-system"
            >
              <option value="">{t('exchange.all')}</option>
              {systemIds.map((id) => (
                <option key={id} value={id}>
                  {id}
                </option>
              ))}
            </select>
            <label htmlFor="subscriptions-topic">{t('exchange.subscriptions.topic')}</label>
            <select
              id="subscriptions-topic"
              className="input input--small"
              value={topic}
              onChange={(e) => go({ topic: e.target.value })}
              data-testid="subscriptions-topic"
            >
              <option value="">{t('exchange.all')}</option>
              {topicNames.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
            <button type="button" className="btn btn--small btn--ghost" onClick={list.reload} disabled={list.loading}>
              {t('exchange.refresh')}
            </button>
          </div>
        }
      >
        <p className="muted">{t('exchange.subscriptions.intro')}</p>
        {list.error && <RetryAlert error={list.error} testId="subscriptions-error" onRetry={list.reload} />}
        {items === null && list.loading && <p className="muted">{t('app.loading')}</p>}
        {items !== null && items.length === 0 && !list.error && (
          <p className="muted" data-testid="subscriptions-empty">
            {system || topic ? t('exchange.subscriptions.emptyFiltered') : t('exchange.subscriptions.empty')}
          </p>
        )}
        {items !== null && items.length > 0 && (
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="subscriptions-title">
            <table className="table" data-testid="subscriptions-table">
              <thead>
                <tr>
                  <th scope="col">{t('exchange.subscriptions.subscriber')}</th>
                  <th scope="col">{t('exchange.subscriptions.topic')}</th>
                  <th scope="col">{t('exchange.subscriptions.mode')}</th>
                  <th scope="col">{t('exchange.colStatus')}</th>
                  <th scope="col">{t('exchange.subscriptions.deliveries')}</th>
                  <th scope="col">{t('exchange.subscriptions.oldest')}</th>
                  <th scope="col">{t('exchange.colActions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((sub) => {
                  const filter = filterText(sub.filter);
                  const counts = DELIVERY_STATUSES.filter((st) => (sub.deliveries?.[st] ?? 0) > 0);
                  return (
                    <tr
                      key={sub.id}
                      data-testid={`subscription-row-${sub.id}`}
                      data-system={sub.system}
                      data-topic={sub.topic}
                    >
                      <td>
                        <code>
                          <Wbr text={sub.system} />
                        </code>
                        <div className="cell-note">
                          {t('exchange.deliveries.subscription', { id: sub.id })} · {formatDateTime(sub.created_at)}
                        </div>
                      </td>
                      <td>
                        <code>{sub.topic}</code>
                        {filter && (
                          <div className="cell-note">
                            {t('exchange.subscriptions.filter')}: <code className="break">{filter}</code>
                          </div>
                        )}
                      </td>
                      <td>
                        {t(`exchange.subscriptions.modes.${sub.mode}`, { defaultValue: sub.mode })}
                        {sub.url && (
                          <div className="cell-note">
                            <code className="break">{sub.url}</code>
                          </div>
                        )}
                      </td>
                      <td>
                        <StateBadge state={sub.status} group="subscriptions" testId={`subscription-state-${sub.id}`} />
                      </td>
                      <td data-testid={`subscription-counts-${sub.id}`}>
                        {counts.length === 0
                          ? '—'
                          : counts.map((st) => (
                              <div key={st} className={`nowrap${st === 'dead' ? ' cell-error' : ''}`} data-state={st}>
                                {t(`exchange.deliveries.states.${st}`)}: {formatNumber(sub.deliveries[st])}
                              </div>
                            ))}
                      </td>
                      <td className="nowrap">{formatDateTime(sub.oldest_undelivered)}</td>
                      <td className="table__actions">
                        {sub.status === 'active' && (
                          <button
                            type="button"
                            className="btn btn--small btn--secondary"
                            disabled={busyId === sub.id}
                            onClick={() => void act(sub, 'pause')}
                            data-testid={`subscription-pause-${sub.id}`}
                          >
                            {t('exchange.subscriptions.pause')}
                          </button>
                        )}
                        {sub.status === 'paused' && (
                          <button
                            type="button"
                            className="btn btn--small btn--secondary"
                            disabled={busyId === sub.id}
                            onClick={() => void act(sub, 'resume')}
                            data-testid={`subscription-resume-${sub.id}`}
                          >
                            {t('exchange.subscriptions.resume')}
                          </button>
                        )}
                        <Link
                          to={`/admin/exchange/deliveries?subscription=${sub.id}`}
                          className="btn btn--small btn--ghost"
                          data-testid={`subscription-deliveries-${sub.id}`}
                        >
                          {t('exchange.subscriptions.showDeliveries')}
                        </Link>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
