import { useTranslation } from 'react-i18next';
import { api } from '../../../api';
import { RetryAlert } from '../../../components/Alert';
import { formatDateTime } from '../../../format';
import { navigate, useLocation } from '../../../router';
import { DELIVERY_STATUSES, type ExchangeDelivery } from '../../../types';
import { ActionAlerts, Card, StateBadge, useLoad, useRowAction, Wbr } from './common';

/** Event deliveries to push subscriptions: /admin/exchange/deliveries?status=&subscription= */
export function DeliveriesTab() {
  const { t } = useTranslation();
  const { search } = useLocation();
  const rawStatus = search.get('status') ?? '';
  const status = (DELIVERY_STATUSES as readonly string[]).includes(rawStatus) ? rawStatus : '';
  const rawSub = search.get('subscription') ?? '';
  const subscription = /^\d+$/.test(rawSub) ? rawSub : '';
  const list = useLoad(() => api.exchangeDeliveries({ status, subscription }), [status, subscription]);
  const { busyId, message, error: actionError, run } = useRowAction();
  const items = list.data?.items ?? null;

  const go = (next: { status?: string; subscription?: string }) => {
    const qs = new URLSearchParams();
    const st = next.status ?? status;
    const sub = next.subscription ?? subscription;
    if (st) qs.set('status', st);
    if (sub) qs.set('subscription', sub);
    const q = qs.toString();
    navigate(`/admin/exchange/deliveries${q ? `?${q}` : ''}`);
  };

  const act = async (d: ExchangeDelivery, action: 'redeliver' | 'skip') => {
    if (action === 'skip' && !window.confirm(t('exchange.deliveries.confirmSkip', { id: d.event_id, system: d.system }))) return;
    await run(
      d.id,
      async () => {
        await api.deliveryAction(d.id, action);
        return t(`exchange.deliveries.done.${action}`, { id: d.event_id });
      },
      list.reload,
    );
  };

  return (
    <>
      <ActionAlerts message={message} error={actionError} />
      <Card
        id="deliveries-title"
        title={items ? t('exchange.deliveries.count', { count: items.length }) : t('exchange.deliveries.listTitle')}
        busy={list.loading}
        testId="deliveries-card"
        tools={
          <div className="inline-filter">
            <label htmlFor="deliveries-status">{t('exchange.colStatus')}</label>
            <select
              id="deliveries-status"
              className="input input--small"
              value={status}
              onChange={(e) => go({ status: e.target.value })}
              data-testid="deliveries-status"
            >
              <option value="">{t('exchange.all')}</option>
              {DELIVERY_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`exchange.deliveries.states.${s}`)}
                </option>
              ))}
            </select>
            {subscription && (
              <button type="button" className="btn btn--small btn--ghost" onClick={() => go({ subscription: '' })}>
                {t('exchange.deliveries.allSubscriptions')}
              </button>
            )}
            <button type="button" className="btn btn--small btn--ghost" onClick={list.reload} disabled={list.loading}>
              {t('exchange.refresh')}
            </button>
          </div>
        }
      >
        <p className="muted">{t('exchange.deliveries.intro')}</p>
        {subscription && <p>{t('exchange.deliveries.forSubscription', { id: subscription })}</p>}
        {list.error && <RetryAlert error={list.error} testId="deliveries-error" onRetry={list.reload} />}
        {items === null && list.loading && <p className="muted">{t('app.loading')}</p>}
        {items !== null && items.length === 0 && !list.error && (
          <p className="muted" data-testid="deliveries-empty">
            {t('exchange.deliveries.empty')}
          </p>
        )}
        {items !== null && items.length > 0 && (
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="deliveries-title">
            <table className="table" data-testid="deliveries-table">
              <thead>
                <tr>
                  <th scope="col">{t('exchange.deliveries.event')}</th>
                  <th scope="col">{t('exchange.deliveries.subscriber')}</th>
                  <th scope="col">{t('exchange.colStatus')}</th>
                  <th scope="col">{t('exchange.deliveries.when')}</th>
                  <th scope="col">{t('exchange.deliveries.lastError')}</th>
                  <th scope="col">{t('exchange.colActions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((d) => (
                  <tr key={d.id} data-testid={`delivery-row-${d.id}`}>
                    <td>
                      <code>{d.topic}</code> <span className="muted">#{d.event_id}</span>
                      {d.key && (
                        <div className="cell-note">
                          {t('exchange.deliveries.key')}: <code className="break">{d.key}</code>
                        </div>
                      )}
                    </td>
                    <td>
                      <code>
                        <Wbr text={d.system} />
                      </code>
                      <div className="cell-note">
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => go({ subscription: String(d.subscription_id) })}
                        >
                          {t('exchange.deliveries.subscription', { id: d.subscription_id })}
                        </button>
                      </div>
                    </td>
                    <td>
                      <StateBadge state={d.status} group="deliveries" testId={`delivery-state-${d.id}`} />
                      <div className="cell-note nowrap">{t('exchange.deliveries.attemptsCount', { count: d.attempts })}</div>
                    </td>
                    <td className="nowrap">
                      {d.delivered_at
                        ? formatDateTime(d.delivered_at)
                        : d.status === 'pending' || d.status === 'claimed'
                          ? `${t('exchange.deliveries.next')} ${formatDateTime(d.next_at)}`
                          : '—'}
                    </td>
                    <td>{d.last_error ? <span className="cell-error">{d.last_error}</span> : '—'}</td>
                    <td className="table__actions">
                      {d.status === 'dead' && (
                        <>
                          <button
                            type="button"
                            className="btn btn--small btn--secondary"
                            disabled={busyId === d.id}
                            onClick={() => void act(d, 'redeliver')}
                            data-testid={`delivery-redeliver-${d.id}`}
                          >
                            {t('exchange.deliveries.redeliver')}
                          </button>
                          <button
                            type="button"
                            className="btn btn--small btn--danger-ghost"
                            disabled={busyId === d.id}
                            onClick={() => void act(d, 'skip')}
                            data-testid={`delivery-skip-${d.id}`}
                          >
                            {t('exchange.deliveries.skip')}
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </>
  );
}
