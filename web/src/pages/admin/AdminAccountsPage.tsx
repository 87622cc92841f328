import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { Alert } from '../../components/Alert';
import { SelectField, TextField } from '../../components/Field';
import { useTitle } from '../../components/useTitle';
import { ROLES, type Account, type Role, type Unit } from '../../types';
import { CreateAccountForm } from './CreateAccountForm';
import { OtpNotice, type Otp } from './OtpNotice';

const PAGE_SIZE = 50;

interface Filters {
  q: string;
  role: string;
  unit: string;
}

const EMPTY: Filters = { q: '', role: '', unit: '' };

export function AdminAccountsPage() {
  const { t } = useTranslation();
  const { account: me } = useAuth();
  useTitle(t('admin.title'));

  const [provinces, setProvinces] = useState<Unit[]>([]);
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [offset, setOffset] = useState(0);
  const [items, setItems] = useState<Account[] | null>(null);
  const [total, setTotal] = useState(0);
  const [loading, setLoading] = useState(false);
  const [listError, setListError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [otp, setOtp] = useState<Otp | null>(null);
  const [busyId, setBusyId] = useState<number | null>(null);
  const [reloadKey, setReloadKey] = useState(0);

  const isSystemAdmin = me?.role === 'system-admin';

  // Province administrators only manage their own province.
  const visibleProvinces = useMemo(() => {
    if (isSystemAdmin || !me?.unit_code) return provinces;
    const own = provinces.filter((p) => p.code === me.unit_code);
    return own.length ? own : provinces;
  }, [provinces, isSystemAdmin, me?.unit_code]);

  const creatableRoles = useMemo<Role[]>(
    () =>
      ROLES.filter((r) => r !== 'citizen' && r !== 'business').filter(
        (r) => isSystemAdmin || (r !== 'system-admin' && r !== 'member-system'),
      ),
    [isSystemAdmin],
  );

  useEffect(() => {
    let cancelled = false;
    api
      .provinces()
      .then((r) => {
        if (!cancelled) setProvinces(r.items);
      })
      .catch(() => {
        // Filters and the create form fall back to "no unit".
      });
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    setListError(null);
    api
      .listAccounts({ ...filters, limit: PAGE_SIZE, offset })
      .then((r) => {
        if (cancelled) return;
        setItems(r.items);
        setTotal(r.total);
      })
      .catch((e: unknown) => {
        if (!cancelled) setListError(errorMessage(e));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [filters, offset, reloadKey]);

  const reload = useCallback(() => setReloadKey((k) => k + 1), []);

  const search = (e: FormEvent) => {
    e.preventDefault();
    setOffset(0);
    setFilters({ ...draft, q: draft.q.trim() });
  };

  const clear = () => {
    setDraft(EMPTY);
    setOffset(0);
    setFilters(EMPTY);
  };

  const toggleStatus = async (a: Account) => {
    const status = a.status === 'active' ? 'disabled' : 'active';
    if (status === 'disabled' && !window.confirm(t('admin.confirmDisable', { username: a.username }))) return;
    setBusyId(a.id);
    setActionError(null);
    setMessage(null);
    try {
      const r = await api.updateAccount(a.id, { status });
      setItems((list) => list?.map((x) => (x.id === a.id ? r.account : x)) ?? null);
      setMessage(t('admin.updated', { username: a.username }));
    } catch (e) {
      setActionError(errorMessage(e));
    } finally {
      setBusyId(null);
    }
  };

  const resetPassword = async (a: Account) => {
    if (!window.confirm(t('admin.confirmReset', { username: a.username }))) return;
    setBusyId(a.id);
    setActionError(null);
    setMessage(null);
    try {
      const r = await api.resetPassword(a.id);
      setOtp({ username: a.username, password: r.one_time_password });
      reload();
    } catch (e) {
      setActionError(errorMessage(e));
    } finally {
      setBusyId(null);
    }
  };

  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + (items?.length ?? 0), total);

  return (
    <div className="stack" data-testid="admin-accounts-page">
      <h1 className="page-title">{t('admin.title')}</h1>

      {otp && <OtpNotice otp={otp} onDismiss={() => setOtp(null)} />}
      {message && <Alert tone="success">{message}</Alert>}
      {actionError && (
        <Alert tone="error" testId="admin-action-error">
          {actionError}
        </Alert>
      )}

      <section className="card" aria-labelledby="search-title">
        <h2 id="search-title" className="card__title">
          {t('admin.searchTitle')}
        </h2>
        <form className="form form--filters" onSubmit={search} role="search" data-testid="account-search">
          <TextField
            id="filter-q"
            type="search"
            label={t('admin.keyword')}
            placeholder={t('admin.keywordHint')}
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
            data-testid="filter-q"
          />
          <SelectField
            id="filter-role"
            label={t('admin.role')}
            value={draft.role}
            onChange={(e) => setDraft({ ...draft, role: e.target.value })}
          >
            <option value="">{t('admin.allRoles')}</option>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </SelectField>
          <SelectField
            id="filter-unit"
            label={t('admin.unit')}
            value={draft.unit}
            onChange={(e) => setDraft({ ...draft, unit: e.target.value })}
          >
            <option value="">{t('admin.allUnits')}</option>
            {visibleProvinces.map((p) => (
              <option key={p.code} value={p.code}>
                {p.name}
              </option>
            ))}
          </SelectField>
          <div className="form__actions form__actions--inline">
            <button type="submit" className="btn btn--primary" data-testid="filter-submit">
              {t('admin.search')}
            </button>
            <button type="button" className="btn btn--ghost" onClick={clear}>
              {t('admin.clear')}
            </button>
          </div>
        </form>
      </section>

      <section className="card" aria-labelledby="list-title" aria-busy={loading}>
        <h2 id="list-title" className="card__title">
          {t('admin.total', { count: total })}
        </h2>
        {listError && (
          <Alert tone="error" testId="list-error">
            {listError}{' '}
            <button type="button" className="btn btn--small btn--ghost" onClick={reload}>
              {t('errors.retry')}
            </button>
          </Alert>
        )}
        {items === null && loading && <p className="muted">{t('app.loading')}</p>}
        {items !== null && items.length === 0 && !listError && <p className="muted">{t('admin.empty')}</p>}
        {items !== null && items.length > 0 && (
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="list-title">
            <table className="table" data-testid="accounts-table">
              <thead>
                <tr>
                  <th scope="col">{t('admin.colUsername')}</th>
                  <th scope="col">{t('admin.colName')}</th>
                  <th scope="col">{t('admin.colRole')}</th>
                  <th scope="col">{t('admin.colUnit')}</th>
                  <th scope="col">{t('admin.colStatus')}</th>
                  <th scope="col">{t('admin.colActions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((a) => {
                  const self = a.id === me?.id;
                  return (
                    <tr key={a.id} data-testid={`account-row-${a.username}`}>
                      <td>
                        <code>{a.username}</code> {self && <span className="muted">{t('admin.you')}</span>}
                      </td>
                      <td>{a.display_name}</td>
                      <td>{t(`roles.${a.role}`, { defaultValue: a.role })}</td>
                      <td>{a.unit_name ?? '—'}</td>
                      <td>
                        <span className={`badge badge--${a.status}`}>
                          {t(`status.${a.status}`, { defaultValue: a.status })}
                        </span>
                      </td>
                      <td className="table__actions">
                        {!self && (
                          <>
                            <button
                              type="button"
                              className="btn btn--small btn--secondary"
                              disabled={busyId === a.id}
                              onClick={() => void toggleStatus(a)}
                              data-testid={`toggle-${a.username}`}
                            >
                              {a.status === 'active' ? t('admin.disable') : t('admin.enable')}
                            </button>
                            <button
                              type="button"
                              className="btn btn--small btn--ghost"
                              disabled={busyId === a.id}
                              onClick={() => void resetPassword(a)}
                              data-testid={`reset-${a.username}`}
                            >
                              {t('admin.resetPassword')}
                            </button>
                          </>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        {total > 0 && (
          <div className="pager">
            <span className="muted">{t('admin.range', { from, to, total })}</span>
            <button
              type="button"
              className="btn btn--small btn--ghost"
              disabled={offset === 0 || loading}
              onClick={() => setOffset(Math.max(0, offset - PAGE_SIZE))}
            >
              {t('admin.prev')}
            </button>
            <button
              type="button"
              className="btn btn--small btn--ghost"
              disabled={offset + PAGE_SIZE >= total || loading}
              onClick={() => setOffset(offset + PAGE_SIZE)}
            >
              {t('admin.next')}
            </button>
          </div>
        )}
      </section>

      <section className="card" aria-labelledby="create-title">
        <h2 id="create-title" className="card__title">
          {t('admin.createTitle')}
        </h2>
        <CreateAccountForm
          roles={creatableRoles}
          provinces={visibleProvinces}
          onCreated={(r) => {
            setMessage(t('admin.created', { username: r.account.username }));
            setOtp({ username: r.account.username, password: r.one_time_password });
            reload();
          }}
        />
      </section>
    </div>
  );
}
