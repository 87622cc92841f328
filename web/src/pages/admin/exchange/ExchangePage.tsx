import { useTranslation } from 'react-i18next';
import { useTitle } from '../../../components/useTitle';
import { Link } from '../../../router';
import { NotFoundPage } from '../../StatusPages';
import { DeliveriesTab } from './DeliveriesTab';
import { EventTypesTab } from './EventTypesTab';
import { GrantsTab } from './GrantsTab';
import { KeysTab } from './KeysTab';
import { MessagesTab } from './MessagesTab';
import { ServicesTab } from './ServicesTab';
import { SubscriptionsTab } from './SubscriptionsTab';
import { SystemsTab } from './SystemsTab';

export const EXCHANGE_BASE = '/admin/exchange';

/** The sections of /admin/exchange, each at its own path (filters in the query string). */
const TABS = ['systems', 'services', 'grants', 'keys', 'messages', 'subscriptions', 'deliveries', 'events'] as const;
export type ExchangeTab = (typeof TABS)[number];

export function tabPath(tab: ExchangeTab): string {
  return tab === 'systems' ? EXCHANGE_BASE : `${EXCHANGE_BASE}/${tab}`;
}

function tabOf(path: string): ExchangeTab | null {
  if (path === EXCHANGE_BASE) return 'systems';
  const rest = path.slice(EXCHANGE_BASE.length + 1);
  return (TABS as readonly string[]).includes(rest) && rest !== 'systems' ? (rest as ExchangeTab) : null;
}

function TabContent({ tab }: { tab: ExchangeTab }) {
  switch (tab) {
    case 'systems':
      return <SystemsTab />;
    case 'services':
      return <ServicesTab />;
    case 'grants':
      return <GrantsTab />;
    case 'keys':
      return <KeysTab />;
    case 'messages':
      return <MessagesTab />;
    case 'subscriptions':
      return <SubscriptionsTab />;
    case 'deliveries':
      return <DeliveriesTab />;
    case 'events':
      return <EventTypesTab />;
  }
}

/** Data exchange administration (exchange.manage): /admin/exchange[/services|grants|keys|messages|subscriptions|deliveries|events]. */
export function ExchangePage({ path }: { path: string }) {
  const { t } = useTranslation();
  const tab = tabOf(path);
  useTitle(tab ? `${t(`exchange.tabs.${tab}`)} — ${t('exchange.title')}` : null);
  if (!tab) return <NotFoundPage />;

  return (
    <div className="stack" data-testid="exchange-page" data-tab={tab}>
      <div>
        <h1 className="page-title">{t('exchange.title')}</h1>
        <p className="muted">{t('exchange.intro')}</p>
      </div>
      <nav className="tabs" aria-label={t('exchange.tabsLabel')}>
        <ul className="tabs__list">
          {TABS.map((x) => (
            <li key={x}>
              <Link
                to={tabPath(x)}
                className="tabs__tab"
                aria-current={x === tab ? 'page' : undefined}
                data-testid={`exchange-tab-${x}`}
              >
                {t(`exchange.tabs.${x}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <TabContent tab={tab} />
    </div>
  );
}
