import { useTranslation } from 'react-i18next';
import { useAuth } from './auth';
import { Alert } from './components/Alert';
import { Layout } from './components/Layout';
import { AccountPage } from './pages/AccountPage';
import { AdminAccountsPage } from './pages/admin/AdminAccountsPage';
import { ConvertCsvPage } from './pages/ConvertCsvPage';
import { ConvertPage } from './pages/ConvertPage';
import { HomePage } from './pages/HomePage';
import { LoginPage } from './pages/LoginPage';
import { MyDataPage } from './pages/MyDataPage';
import { QualityPage } from './pages/registry/QualityPage';
import { RegistryPage } from './pages/registry/RegistryPage';
import { ForbiddenPage, NotFoundPage } from './pages/StatusPages';
import { Redirect, safeNext, useLocation } from './router';
import { canReadRegistry, canSeeQuality, isAdminRole, type Account } from './types';

function Boot() {
  const { t } = useTranslation();
  const { bootError, retry } = useAuth();
  if (bootError) {
    return (
      <div className="stack">
        <Alert tone="error" testId="boot-error">
          {bootError}
        </Alert>
        <p>
          <button type="button" className="btn btn--primary" onClick={retry}>
            {t('errors.retry')}
          </button>
        </p>
      </div>
    );
  }
  return (
    <p className="muted boot" role="status" data-testid="boot">
      {t('app.loading')}
    </p>
  );
}

function AuthedRoutes({ account, path }: { account: Account; path: string }) {
  switch (path) {
    case '/':
      return <HomePage />;
    case '/account':
      return <AccountPage />;
    case '/convert':
      return <ConvertPage />;
    case '/convert/csv':
      return <ConvertCsvPage />;
    case '/admin/accounts':
      return isAdminRole(account.role) ? <AdminAccountsPage /> : <ForbiddenPage />;
    case '/registry':
      return canReadRegistry(account.role) ? <RegistryPage /> : <ForbiddenPage />;
    case '/registry/quality':
      return canSeeQuality(account.role) ? <QualityPage /> : <ForbiddenPage />;
    case '/me/data':
      // Everyone signed in may open it; it explains that it is for verified citizens (and businesses: their documents).
      return <MyDataPage />;
    default:
      return <NotFoundPage />;
  }
}

function Routes() {
  const { account } = useAuth();
  const { path, search } = useLocation();

  if (account === undefined) return <Boot />;

  if (account === null) {
    // Public pages work without signing in; everything else asks for it first.
    if (path === '/convert') return <ConvertPage />;
    if (path !== '/login') {
      const next = path === '/' ? '' : `?next=${encodeURIComponent(path + window.location.search)}`;
      return <Redirect to={`/login${next}`} />;
    }
    return <LoginPage />;
  }

  if (account.must_change_password && path !== '/account') return <Redirect to="/account" />;
  if (path === '/login') return <Redirect to={safeNext(search.get('next')) ?? '/'} />;
  return <AuthedRoutes account={account} path={path} />;
}

export function App() {
  return (
    <Layout>
      <Routes />
    </Layout>
  );
}
