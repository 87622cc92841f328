import i18n from './i18n';
import type {
  Account,
  AccountList,
  AccountStatus,
  CreatedAccount,
  LoginResponse,
  Role,
  Unit,
} from './types';

/** An error answered by the server ({"error": {...}}) or a network failure (status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;

  constructor(status: number, code: string, message: string, field: string | null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler | null = null;

/** Called when a request other than login or /me answers 401 (the session ended). */
export function setUnauthorizedHandler(fn: UnauthorizedHandler | null): void {
  onUnauthorized = fn;
}

interface RequestOptions {
  body?: unknown;
  /** Do not call the unauthorized handler on 401 (login, initial /me). */
  quiet401?: boolean;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': i18n.language || 'vi',
  };
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }

  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network_error', i18n.t('errors.network'), null);
  }

  let data: unknown = null;
  const text = await res.text().catch(() => '');
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }

  if (!res.ok) {
    const err = (data as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
    const code = typeof err?.code === 'string' ? err.code : `http_${res.status}`;
    const message =
      typeof err?.message === 'string' && err.message
        ? err.message
        : i18n.t('errors.generic', { status: res.status });
    const field = typeof err?.field === 'string' && err.field ? err.field : null;
    if (res.status === 401 && !opts.quiet401 && onUnauthorized) onUnauthorized();
    throw new ApiError(res.status, code, message, field);
  }
  return data as T;
}

export const api = {
  login(username: string, password: string, totpCode?: string): Promise<LoginResponse> {
    const body: Record<string, string> = { username, password };
    if (totpCode) body.totp_code = totpCode;
    return request('POST', '/api/v1/auth/login', { body, quiet401: true });
  },

  logout(): Promise<{ ok: boolean }> {
    return request('POST', '/api/v1/auth/logout', { quiet401: true });
  },

  me(): Promise<{ account: Account }> {
    return request('GET', '/api/v1/me', { quiet401: true });
  },

  changePassword(currentPassword: string, newPassword: string): Promise<{ ok: boolean }> {
    return request('POST', '/api/v1/me/password', {
      body: { current_password: currentPassword, new_password: newPassword },
    });
  },

  listAccounts(params: { q?: string; role?: string; unit?: string; limit: number; offset: number }): Promise<AccountList> {
    const qs = new URLSearchParams();
    qs.set('q', params.q ?? '');
    qs.set('role', params.role ?? '');
    qs.set('unit', params.unit ?? '');
    qs.set('limit', String(params.limit));
    qs.set('offset', String(params.offset));
    return request('GET', `/api/v1/accounts?${qs.toString()}`);
  },

  createAccount(input: {
    username: string;
    display_name: string;
    role: Role;
    unit_code: string | null;
    email?: string;
  }): Promise<CreatedAccount> {
    return request('POST', '/api/v1/accounts', { body: input });
  },

  resetPassword(id: number): Promise<{ one_time_password: string }> {
    return request('POST', `/api/v1/accounts/${encodeURIComponent(String(id))}/reset-password`);
  },

  updateAccount(
    id: number,
    patch: Partial<{ display_name: string; role: Role; unit_code: string | null; status: AccountStatus }>,
  ): Promise<{ account: Account }> {
    return request('PATCH', `/api/v1/accounts/${encodeURIComponent(String(id))}`, { body: patch });
  },

  provinces(): Promise<{ items: Unit[] }> {
    return request('GET', '/api/v1/units?level=province');
  },

  children(code: string): Promise<{ items: Unit[] }> {
    return request('GET', `/api/v1/units/${encodeURIComponent(code)}/children`);
  },
};

/** The message to show for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return i18n.t('errors.network');
}

export function errorField(e: unknown): string | null {
  return e instanceof ApiError ? e.field : null;
}
