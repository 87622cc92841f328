import { lazy, Suspense } from 'react';
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
import { LookupPage } from './pages/dossiers/LookupPage';
import { MyDossierPage, MyDossiersPage } from './pages/dossiers/MyDossiersPage';
import { SubmitPage } from './pages/dossiers/SubmitPage';
import { VerifyPage } from './pages/dossiers/VerifyPage';
import { ProcedureDetailPage } from './pages/procedures/ProcedureDetailPage';
import { ProceduresPage } from './pages/procedures/ProceduresPage';
import { CounterIntakePage } from './pages/workspace/CounterIntakePage';
import { InboxPage } from './pages/workspace/InboxPage';
import { WorkDossierPage } from './pages/workspace/WorkDossierPage';
import { Redirect, safeNext, useLocation } from './router';
import {
  canManageExchange,
  canReadRegistry,
  canSeeQuality,
  hasInbox,
  isAdminRole,
  isApplicantRole,
  type Account,
} from './types';

/** A page loaded on demand could not be fetched (e.g. a new version was deployed meanwhile). */
function ChunkError() {
  const { t } = useTranslation();
  return (
    <Alert tone="error" testId="chunk-error">
      {t('errors.network')}{' '}
      <button type="button" className="btn btn--ghost btn--small" onClick={() => window.location.reload()}>
        {t('errors.retry')}
      </button>
    </Alert>
  );
}

// Administrators' data exchange pages: a chunk of their own, loaded when first opened.
const ExchangePage = lazy(() =>
  import('./pages/admin/exchange/ExchangePage').then(
    (m) => ({ default: m.ExchangePage }),
    () => ({ default: ChunkError }),
  ),
);

function Loading() {
  const { t } = useTranslation();
  return (
    <p className="muted" role="status">
      {t('app.loading')}
    </p>
  );
}

/** The one path parameter of "/prefix/:param" (decoded), or null. */
function param(path: string, prefix: string, suffix = ''): string | null {
  if (!path.startsWith(prefix) || !path.endsWith(suffix)) return null;
  const raw = path.slice(prefix.length, path.length - suffix.length);
  if (!raw || raw.includes('/')) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** Pages anyone may open, signed in or not: the procedure catalogue, the lookup, the verification. */
function PublicRoutes({ path }: { path: string }) {
  if (path === '/convert') return <ConvertPage />;
  if (path === '/thu-tuc') return <ProceduresPage />;
  if (path === '/tra-cuu') return <LookupPage />;
  if (path === '/xac-thuc') return <VerifyPage />;
  const code = param(path, '/thu-tuc/');
  if (code) return <ProcedureDetailPage code={code} />;
  return null;
}

function isPublicPath(path: string): boolean {
  return (
    path === '/convert' ||
    path === '/thu-tuc' ||
    path === '/tra-cuu' ||
    path === '/xac-thuc' ||
    param(path, '/thu-tuc/') !== null
  );
}

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
  if (isPublicPath(path)) return <PublicRoutes path={path} />;
  const submitCode = param(path, '/thu-tuc/', '/nop');
  if (submitCode) return <SubmitPage code={submitCode} />;
  if (path === '/xu-ly/tiep-nhan')
    return account.role === 'one-stop-officer' ? <CounterIntakePage /> : <ForbiddenPage />;
  const workCode = param(path, '/xu-ly/');
  if (workCode) return hasInbox(account.role) ? <WorkDossierPage code={workCode} /> : <ForbiddenPage />;
  if (path === '/admin/exchange' || path.startsWith('/admin/exchange/'))
    return canManageExchange(account.role) ? (
      <Suspense fallback={<Loading />}>
        <ExchangePage path={path} />
      </Suspense>
    ) : (
      <ForbiddenPage />
    );
  const myCode = param(path, '/ho-so/');
  if (myCode) {
    if (isApplicantRole(account.role)) return <MyDossierPage code={myCode} />;
    // An official following an applicant's link: the same dossier in the workspace.
    return hasInbox(account.role) ? <Redirect to={`/xu-ly/${encodeURIComponent(myCode)}`} /> : <ForbiddenPage />;
  }
  switch (path) {
    case '/xu-ly':
      return hasInbox(account.role) ? <InboxPage /> : <ForbiddenPage />;
    case '/ho-so':
      return isApplicantRole(account.role) ? <MyDossiersPage /> : <ForbiddenPage />;
    case '/':
      return <HomePage />;
    case '/account':
      return <AccountPage />;
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
    if (isPublicPath(path)) return <PublicRoutes path={path} />;
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
