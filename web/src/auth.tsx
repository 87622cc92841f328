import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, ApiError, setUnauthorizedHandler } from './api';
import { navigate } from './router';
import type { Account } from './types';

export type AuthNotice = 'sessionExpired' | 'loggedOut' | null;

interface AuthState {
  /** undefined while the initial GET /api/v1/me is running. */
  account: Account | null | undefined;
  /** Set when the initial session check failed for a reason other than 401. */
  bootError: string | null;
  notice: AuthNotice;
  setAccount: (a: Account | null) => void;
  logout: () => Promise<void>;
  retry: () => void;
  clearNotice: () => void;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [account, setAccountState] = useState<Account | null | undefined>(undefined);
  const [bootError, setBootError] = useState<string | null>(null);
  const [notice, setNotice] = useState<AuthNotice>(null);
  const [attempt, setAttempt] = useState(0);
  const accountRef = useRef(account);
  accountRef.current = account;

  useEffect(() => {
    let cancelled = false;
    api
      .me()
      .then((r) => {
        if (!cancelled) setAccountState(r.account);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
          setAccountState(null);
        } else {
          setBootError(e instanceof ApiError ? e.message : String(e));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      if (accountRef.current) setNotice('sessionExpired');
      setAccountState(null);
    });
    return () => setUnauthorizedHandler(null);
  }, []);

  const setAccount = useCallback((a: Account | null) => {
    setAccountState(a);
    if (a) setNotice(null);
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } catch {
      // The cookie may already be gone; we sign out locally in any case.
    }
    navigate('/login', { replace: true });
    setAccountState(null);
    setNotice('loggedOut');
  }, []);

  const retry = useCallback(() => {
    setBootError(null);
    setAttempt((n) => n + 1);
  }, []);

  const clearNotice = useCallback(() => setNotice(null), []);

  const value = useMemo(
    () => ({ account, bootError, notice, setAccount, logout, retry, clearNotice }),
    [account, bootError, notice, setAccount, logout, retry, clearNotice],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error('useAuth outside AuthProvider');
  return ctx;
}
