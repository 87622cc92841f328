import { useTranslation } from 'react-i18next';
import { api } from '../../../api';
import { RetryAlert } from '../../../components/Alert';
import { prettyJson } from '../../../exchange';
import { Link } from '../../../router';
import { Card, useLoad } from './common';

/** The platform's own event types are owned by "lienthong"; the others by the member system that declared them. */
const PLATFORM_OWNER = 'lienthong';

/** Event types (topics) with their JSON schemas (GET /api/v1/pubsub/event-types, open). */
export function EventTypesTab() {
  const { t } = useTranslation();
  const types = useLoad(() => api.eventTypes(), []);
  const items = types.data?.items ?? null;

  return (
    <Card id="events-title" title={t('exchange.events.listTitle')} busy={types.loading} testId="events-card">
      <p className="muted">
        {t('exchange.events.intro')} <Link to="/admin/exchange/deliveries">{t('exchange.tabs.deliveries')}</Link>
      </p>
      {types.error && <RetryAlert error={types.error} testId="events-error" onRetry={types.reload} />}
      {items === null && types.loading && <p className="muted">{t('app.loading')}</p>}
      {items !== null && items.length === 0 && <p className="muted">{t('exchange.events.empty')}</p>}
      {items !== null && items.length > 0 && (
        <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="events-title">
          <table className="table" data-testid="events-table">
            <thead>
              <tr>
                <th scope="col">{t('exchange.events.name')}</th>
                <th scope="col">{t('exchange.events.description')}</th>
                <th scope="col">{t('exchange.events.owner')}</th>
                <th scope="col">{t('exchange.events.schema')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((e) => (
                <tr key={e.name} data-testid={`event-type-${e.name}`}>
                  <td>
                    <code>{e.name}</code>
                  </td>
                  <td>{e.description || '—'}</td>
                  <td>
                    {e.owner === PLATFORM_OWNER ? (
                      <span className="badge badge--st-info">{t('exchange.events.platform')}</span>
                    ) : (
                      <code className="break">{e.owner}</code>
                    )}
                  </td>
                  <td>
                    {e.schema ? (
                      <details>
                        <summary>{t('exchange.events.showSchema')}</summary>
                        <pre className="code-block">{prettyJson(e.schema)}</pre>
                      </details>
                    ) : (
                      <span className="muted">{t('exchange.events.noSchema')}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
