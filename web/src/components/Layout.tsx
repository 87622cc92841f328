import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth';
import { LANGUAGES, currentLanguage, type Language } from '../i18n';
import { Link } from '../router';
import { canReadRegistry, canSeeQuality, isAdminRole } from '../types';
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
                <li>
                  <Link to="/" data-testid="nav-home">
                    {t('nav.home')}
                  </Link>
                </li>
                <li>
                  <Link to="/convert" data-testid="nav-convert">
                    {t('nav.convert')}
                  </Link>
                </li>
                <li>
                  <Link to="/convert/csv" data-testid="nav-convert-csv">
                    {t('nav.convertCsv')}
                  </Link>
                </li>
                {canReadRegistry(account.role) && (
                  <li>
                    <Link to="/registry" data-testid="nav-registry">
                      {t('nav.registry')}
                    </Link>
                  </li>
                )}
                {canSeeQuality(account.role) && (
                  <li>
                    <Link to="/registry/quality" data-testid="nav-quality">
                      {t('nav.quality')}
                    </Link>
                  </li>
                )}
                {(account.role === 'citizen' || account.role === 'business') && (
                  <li>
                    <Link to="/me/data" data-testid="nav-my-data">
                      {t('nav.myData')}
                    </Link>
                  </li>
                )}
                <li>
                  <Link to="/account" data-testid="nav-account">
                    {t('nav.account')}
                  </Link>
                </li>
                {isAdminRole(account.role) && (
                  <li>
                    <Link to="/admin/accounts" data-testid="nav-admin">
                      {t('nav.admin')}
                    </Link>
                  </li>
                )}
              </ul>
            ) : (
              <ul className="site-nav__list container">
                <li>
                  <Link to="/convert" data-testid="nav-convert">
                    {t('nav.convert')}
                  </Link>
                </li>
                <li>
                  <Link to="/login" data-testid="nav-login">
                    {t('nav.login')}
                  </Link>
                </li>
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
