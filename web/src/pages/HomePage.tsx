import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth';
import { useTitle } from '../components/useTitle';
import { Link } from '../router';
import { canManageExchange, canReadRegistry, canSeeQuality, hasInbox, isApplicantRole, type Role } from '../types';

/** Modules that work today, with where they live and who may use them. */
const AVAILABLE: readonly { key: string; to: string; allowed?: (role: Role) => boolean }[] = [
  { key: 'procedures', to: '/thu-tuc' },
  { key: 'myDossiers', to: '/ho-so', allowed: isApplicantRole },
  { key: 'inbox', to: '/xu-ly', allowed: hasInbox },
  { key: 'counter', to: '/xu-ly/tiep-nhan', allowed: (role) => role === 'one-stop-officer' },
  { key: 'lookup', to: '/tra-cuu', allowed: (role) => !hasInbox(role) },
  { key: 'convert', to: '/convert' },
  { key: 'convertCsv', to: '/convert/csv' },
  { key: 'registry', to: '/registry', allowed: canReadRegistry },
  { key: 'quality', to: '/registry/quality', allowed: canSeeQuality },
  { key: 'myData', to: '/me/data', allowed: (role) => role === 'citizen' || role === 'business' },
  { key: 'exchange', to: '/admin/exchange', allowed: canManageExchange },
];

const MODULES = ['units', 'sharedData', 'exchange'] as const;

export function HomePage() {
  const { t } = useTranslation();
  const { account } = useAuth();
  useTitle(t('home.title'));
  if (!account) return null;
  const available = AVAILABLE.filter((m) => !m.allowed || m.allowed(account.role));
  // A module that works for this role is not announced as coming soon as well.
  const soon = MODULES.filter((m) => !available.some((a) => a.key === m));

  return (
    <div className="stack">
      <section className="hero card" aria-labelledby="home-greeting">
        <h1 id="home-greeting" className="hero__title" data-testid="home-greeting">
          {t('home.greeting', { name: account.display_name })}
        </h1>
        <p className="muted">{t('home.intro')}</p>
        <dl className="facts">
          <div className="facts__item">
            <dt>{t('home.role')}</dt>
            <dd data-testid="home-role">{t(`roles.${account.role}`, { defaultValue: account.role })}</dd>
          </div>
          <div className="facts__item">
            <dt>{t('home.unit')}</dt>
            <dd data-testid="home-unit">{account.unit_name ?? t('home.noUnit')}</dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="modules-title">
        <h2 id="modules-title" className="section-title">
          {t('home.modules')}
        </h2>
        <ul className="module-grid">
          {available.map((m) => (
            <li key={m.key} className="card module-card module-card--available" data-testid={`module-${m.key}`}>
              <h3 className="module-card__title">{t(`modules.${m.key}.title`)}</h3>
              <p className="module-card__desc">{t(`modules.${m.key}.desc`)}</p>
              <Link to={m.to} className="btn btn--primary btn--small" data-testid={`module-${m.key}-open`}>
                {t('home.open')}
                <span className="visually-hidden">: {t(`modules.${m.key}.title`)}</span>
              </Link>
            </li>
          ))}
          {soon.map((m) => (
            <li key={m} className="card module-card" data-testid={`module-${m}`}>
              <h3 className="module-card__title">{t(`modules.${m}.title`)}</h3>
              <p className="module-card__desc">{t(`modules.${m}.desc`)}</p>
              <span className="badge badge--soon">{t('home.comingSoon')}</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
