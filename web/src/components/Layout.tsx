import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth';
import { LANGUAGES, currentLanguage, type Language } from '../i18n';
import { Link, useLocation } from '../router';
import { canManageExchange, canReadRegistry, canSeeQuality, hasInbox, isAdminRole, isApplicantRole } from '../types';
import { Emblem } from './Emblem';

function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const lang = currentLanguage();
  const names: Record<Language, string> = { vi: t('lang.viName'), en: t('lang.enName') };
  return (
    <div className="lang-switch" role="group" aria-label={t('a11y.language')}>
      {LANGUAGES.map((l) => (
        <button
          key={l}
          type="button"
          lang={l}
          className="lang-switch__btn"
          aria-pressed={lang === l}
          title={names[l]}
          data-testid={`lang-${l}`}
          onClick={() => void i18n.changeLanguage(l)}
        >
          <span aria-hidden="true">{t(`lang.${l}`)}</span>
          <span className="visually-hidden">{names[l]}</span>
        </button>
      ))}
    </div>
  );
}

/** A menu entry; `section` also marks it current on the pages below it (e.g. /thu-tuc/1.001193). */
function NavItem({
  to,
  testId,
  label,
  section,
}: {
  to: string;
  testId: string;
  label: string;
  section?: (path: string) => boolean;
}) {
  const { path } = useLocation();
  const current = path === to || (section?.(path) ?? false);
  return (
    <li>
      <Link to={to} data-testid={testId} aria-current={current ? 'page' : undefined}>
        {label}
      </Link>
    </li>
  );
}

const under = (prefix: string, except: string[] = []) => (path: string) =>
  path.startsWith(`${prefix}/`) && !except.includes(path);

function UserBox() {
  const { t } = useTranslation();
  const { account, logout } = useAuth();
  const [busy, setBusy] = useState(false);
  if (!account) return null;
  return (
    <div className="userbox" aria-label={t('a11y.userMenu')} role="group">
      <span className="userbox__name" data-testid="header-user">
        <span className="userbox__display">{account.display_name}</span>
        <span className="userbox__role">{t(`roles.${account.role}`, { defaultValue: account.role })}</span>
      </span>
      <button
        type="button"
        className="btn btn--ghost btn--small"
        data-testid="logout"
        disabled={busy}
        onClick={() => {
          setBusy(true);
          void logout().finally(() => setBusy(false));
        }}
      >
        {busy ? t('header.loggingOut') : t('header.logout')}
      </button>
    </div>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const { account } = useAuth();
  // Signed out: the public pages and sign-in; signed in: everything (once the password is changed).
  const showNav = account === null || (!!account && !account.must_change_password);

  return (
    <div className="page">
      <a className="skip-link" href="#main">
        {t('a11y.skipToContent')}
      </a>
      <header className="site-header">
        <div className="site-header__bar container">
          <Link to="/" className="brand" aria-current={undefined}>
            <Emblem />
            <span className="brand__text">
              <span className="brand__name" data-testid="app-name">
                {t('app.fullName')}
              </span>
              <span className="brand__tagline">{t('app.tagline')}</span>
            </span>
          </Link>
          <div className="site-header__tools">
            <LanguageSwitch />
            <UserBox />
          </div>
        </div>
        {showNav && (
          <nav className="site-nav" aria-label={t('a11y.mainNav')}>
            {account ? (
              <ul className="site-nav__list container">
                <NavItem to="/" testId="nav-home" label={t('nav.home')} />
                <NavItem to="/thu-tuc" testId="nav-procedures" label={t('nav.procedures')} section={under('/thu-tuc')} />
                {isApplicantRole(account.role) && (
                  <NavItem to="/ho-so" testId="nav-my-dossiers" label={t('nav.myDossiers')} section={under('/ho-so')} />
                )}
                {hasInbox(account.role) && (
                  <NavItem
                    to="/xu-ly"
                    testId="nav-inbox"
                    label={t('nav.inbox')}
                    section={under('/xu-ly', ['/xu-ly/tiep-nhan'])}
                  />
                )}
                {account.role === 'one-stop-officer' && (
                  <NavItem to="/xu-ly/tiep-nhan" testId="nav-counter" label={t('nav.counter')} />
                )}
                {!hasInbox(account.role) && (
                  <>
                    <NavItem to="/tra-cuu" testId="nav-lookup" label={t('nav.lookup')} />
                    <NavItem to="/xac-thuc" testId="nav-verify" label={t('nav.verify')} />
                  </>
                )}
                <NavItem to="/convert" testId="nav-convert" label={t('nav.convert')} />
                <NavItem to="/convert/csv" testId="nav-convert-csv" label={t('nav.convertCsv')} />
                {canReadRegistry(account.role) && <NavItem to="/registry" testId="nav-registry" label={t('nav.registry')} />}
                {canSeeQuality(account.role) && (
                  <NavItem to="/registry/quality" testId="nav-quality" label={t('nav.quality')} />
                )}
                {isApplicantRole(account.role) && <NavItem to="/me/data" testId="nav-my-data" label={t('nav.myData')} />}
                <NavItem to="/account" testId="nav-account" label={t('nav.account')} />
                {isAdminRole(account.role) && <NavItem to="/admin/accounts" testId="nav-admin" label={t('nav.admin')} />}
                {canManageExchange(account.role) && (
                  <NavItem
                    to="/admin/exchange"
                    testId="nav-exchange"
                    label={t('nav.exchange')}
                    section={under('/admin/exchange')}
                  />
                )}
              </ul>
            ) : (
              <ul className="site-nav__list container">
                <NavItem to="/thu-tuc" testId="nav-procedures" label={t('nav.procedures')} section={under('/thu-tuc')} />
                <NavItem to="/tra-cuu" testId="nav-lookup" label={t('nav.lookup')} />
                <NavItem to="/xac-thuc" testId="nav-verify" label={t('nav.verify')} />
                <NavItem to="/convert" testId="nav-convert" label={t('nav.convert')} />
                <NavItem to="/login" testId="nav-login" label={t('nav.login')} />
              </ul>
            )}
          </nav>
        )}
      </header>
      <main id="main" className="main container" tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <div className="container">
          <p>{t('footer.project')}</p>
          <p>{t('footer.note')}</p>
        </div>
      </footer>
    </div>
  );
}
