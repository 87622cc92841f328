import i18n from './i18n';
import { documentMime } from './documents';
import type {
  Account,
  AccountList,
  AddedDocument,
  AccountStatus,
  Agency,
  ApiKey,
  ConversionResult,
  ConversionSummary,
  ConvertedCsv,
  CreatedAccount,
  DataAccess,
  Dossier,
  DossierInput,
  DossierSummary,
  EventType,
  ExchangeDelivery,
  ExchangeGrant,
  ExchangeMessage,
  ExchangeService,
  ExchangeSubscription,
  ExchangeSystem,
  Inbox,
  IssuedApiKey,
  LoginResponse,
  NewDocumentMeta,
  NewExchangeGrant,
  NewExchangeService,
  OwnerKind,
  PdsDocument,
  Prefill,
  Procedure,
  ProcedureField,
  ProcedureSummary,
  PublicDossier,
  Purpose,
  QualityRecords,
  QualityReport,
  RegistryName,
  RegistryRecord,
  RegistryVersion,
  Role,
  Unit,
  UploadedFile,
  Verification,
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
  /** A body sent as it is (a file), with its own Content-Type, instead of JSON. */
  raw?: { body: Blob | string; type: string };
  /** Extra request headers (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
  /** Do not call the unauthorized handler on 401 (login, initial /me). */
  quiet401?: boolean;
}

async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': i18n.language || 'vi',
  };
  let body: BodyInit | undefined;
  if (opts.raw) {
    headers['Content-Type'] = opts.raw.type;
    body = opts.raw.body;
  } else if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (opts.headers) Object.assign(headers, opts.headers);

  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network_error', i18n.t('errors.network'), null);
  }

  const data = parseJson(await res.text().catch(() => ''));
  if (!res.ok) throw failure(res.status, data, opts.quiet401);
  return data as T;
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The ApiError for a non-2xx answer (data: its parsed JSON body, if any); reports a lost session. */
function failure(status: number, data: unknown, quiet401?: boolean): ApiError {
  const err = (data as { error?: { code?: unknown; message?: unknown; field?: unknown } } | null)?.error;
  const code = typeof err?.code === 'string' ? err.code : `http_${status}`;
  const message =
    typeof err?.message === 'string' && err.message ? err.message : i18n.t('errors.generic', { status });
  const field = typeof err?.field === 'string' && err.field ? err.field : null;
  if (status === 401 && !quiet401 && onUnauthorized) onUnauthorized();
  return new ApiError(status, code, message, field);
}

/** Parses "converted=N;ambiguous=N;unresolved=N" (order free, spaces tolerated). */
export function parseSummaryHeader(value: string | null): ConversionSummary | null {
  if (!value) return null;
  const out: Partial<Record<keyof ConversionSummary, number>> = {};
  for (const part of value.split(';')) {
    const m = /^\s*(converted|ambiguous|unresolved)\s*=\s*(\d+)\s*$/.exec(part);
    if (m) out[m[1] as keyof ConversionSummary] = Number(m[2]);
  }
  if (out.converted === undefined || out.ambiguous === undefined || out.unresolved === undefined) return null;
  return { converted: out.converted, ambiguous: out.ambiguous, unresolved: out.unresolved };
}

/** Uploads a CSV file as the raw body and returns the converted file (text/csv). */
async function uploadCsv(path: string, file: Blob): Promise<ConvertedCsv> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: 'POST',
      headers: {
        Accept: 'text/csv, application/json',
        'Accept-Language': i18n.language || 'vi',
        'Content-Type': 'text/csv; charset=utf-8',
      },
      body: file,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network_error', i18n.t('errors.network'), null);
  }
  if (!res.ok) {
    if (res.status === 413) {
      await res.text().catch(() => '');
      throw new ApiError(413, 'payload_too_large', i18n.t('convertCsv.tooLargeServer'), null);
    }
    throw failure(res.status, parseJson(await res.text().catch(() => '')));
  }
  let body: Blob;
  try {
    body = await res.blob();
  } catch {
    throw new ApiError(0, 'network_error', i18n.t('errors.network'), null);
  }
  return {
    // Keep the server's bytes as they are; only label them for the download.
    blob: new Blob([body], { type: 'text/csv;charset=utf-8' }),
    summary: parseSummaryHeader(res.headers.get('X-Conversion-Summary')),
  };
}

/**
 * Adds a document to a store: the file is the raw body with its own Content-Type, the rest goes in
 * the query string (empty values left out). 201 created, 200 the same bytes were already there.
 */
async function uploadDocument(path: string, file: File, meta: NewDocumentMeta): Promise<AddedDocument> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v === 'string' && v.trim()) qs.set(k, v.trim());
  }
  let res: Response;
  try {
    res = await fetch(`${path}?${qs.toString()}`, {
      method: 'POST',
      headers: {
        Accept: 'application/json',
        'Accept-Language': i18n.language || 'vi',
        // The browser may not know the type (e.g. .json on some systems): then it comes from the name.
        'Content-Type': documentMime(file) ?? (file.type || 'application/octet-stream'),
      },
      body: file,
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network_error', i18n.t('errors.network'), null);
  }
  const data = parseJson(await res.text().catch(() => ''));
  if (!res.ok) {
    if (res.status === 413 && !(data as { error?: unknown } | null)?.error) {
      throw new ApiError(413, 'payload_too_large', i18n.t('documents.tooLargeServer'), 'file');
    }
    throw failure(res.status, data);
  }
  return data as AddedDocument;
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

  /** Public: converts one old (pre-2025) address to the current units. */
  convertAddress(input: { address: string; as_of?: string }): Promise<{ result: ConversionResult }> {
    return request('POST', '/api/v1/addresses/convert', { body: input });
  },

  /** Signed in: converts the column `column` of a CSV file; the answer is the file with 9 columns appended. */
  convertCsv(file: Blob, column: string): Promise<ConvertedCsv> {
    return uploadCsv(`/api/v1/addresses/convert-csv?column=${encodeURIComponent(column)}`, file);
  },

  /** Public: one unit (current map) by code, e.g. "00004" → Phường Ba Đình. */
  unit(code: string): Promise<{ unit: Unit }> {
    return request('GET', `/api/v1/units/${encodeURIComponent(code)}`);
  },

  /** registry.read: one record with the source of each field. The read is written to the access log. */
  registryRecord(
    registry: RegistryName,
    key: string,
    opts: { as_of?: string; purpose?: string } = {},
  ): Promise<{ record: RegistryRecord }> {
    const qs = new URLSearchParams();
    if (opts.as_of) qs.set('as_of', opts.as_of);
    if (opts.purpose) qs.set('purpose', opts.purpose);
    const q = qs.toString();
    return request('GET', `${recordPath(registry, key)}${q ? `?${q}` : ''}`);
  },

  /** registry.read: every version, oldest first (also access-logged). */
  registryHistory(registry: RegistryName, key: string): Promise<{ items: RegistryVersion[] }> {
    return request('GET', `${recordPath(registry, key)}/history`);
  },

  /** registry.quality: counts and rates per rule for a unit (empty: the caller's province). */
  quality(registry: RegistryName, unit: string): Promise<QualityReport> {
    const q = unit ? `?unit=${encodeURIComponent(unit)}` : '';
    return request('GET', `/api/v1/registries/${encodeURIComponent(registry)}/quality${q}`);
  },

  /** registry.quality: the keys a rule flags (at most 1,000). */
  qualityRecords(registry: RegistryName, rule: string, unit: string): Promise<QualityRecords> {
    const qs = new URLSearchParams({ rule });
    if (unit) qs.set('unit', unit);
    return request('GET', `/api/v1/registries/${encodeURIComponent(registry)}/quality/records?${qs.toString()}`);
  },

  /** Signed in: the registered purposes ("declare once"). */
  purposes(): Promise<{ items: Purpose[] }> {
    return request('GET', '/api/v1/purposes');
  },

  /** A verified citizen: who read their personal data, newest first. */
  myDataAccess(): Promise<{ items: DataAccess[] }> {
    return request('GET', '/api/v1/me/data-access');
  },

  /** A verified citizen or business: their own documents, newest first. */
  myDocuments(): Promise<{ items: PdsDocument[] }> {
    return request('GET', '/api/v1/me/documents');
  },

  /** A verified citizen or business adds a document to their own store. */
  addMyDocument(file: File, meta: NewDocumentMeta): Promise<AddedDocument> {
    return uploadDocument('/api/v1/me/documents', file, meta);
  },

  /** pds.read: a citizen's or enterprise's documents (access-logged, with the purpose if given). */
  pdsDocuments(kind: OwnerKind, key: string, purpose?: string): Promise<{ items: PdsDocument[] }> {
    const q = purpose ? `?${new URLSearchParams({ purpose }).toString()}` : '';
    return request('GET', `${pdsPath(kind, key)}${q}`);
  },

  /** pds.write: adds a document to a citizen's or enterprise's store. */
  addPdsDocument(kind: OwnerKind, key: string, file: File, meta: NewDocumentMeta): Promise<AddedDocument> {
    return uploadDocument(pdsPath(kind, key), file, meta);
  },

  /** pds.write: revokes a document (its file and row stay for the audit). */
  revokePdsDocument(id: number): Promise<{ ok: boolean }> {
    return request('DELETE', `/api/v1/pds/documents/${encodeURIComponent(String(id))}`);
  },

  // ---- procedures and dossiers (docs/PROCEDURES.md) ----

  /** Public: finds procedures (q ignores diacritics); also the list of fields. */
  procedures(params: { q?: string; level?: string; field?: string } = {}): Promise<{
    items: ProcedureSummary[];
    fields: ProcedureField[];
  }> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) qs.set(k, v);
    const q = qs.toString();
    return request('GET', `/api/v1/procedures${q ? `?${q}` : ''}`);
  },

  /** Public: one procedure with its components, form, fees, time limit and workflow. */
  procedure(code: string): Promise<{ procedure: Procedure }> {
    return request('GET', `/api/v1/procedures/${encodeURIComponent(code)}`);
  },

  /** The form prefilled for the caller (or, at the counter, for `applicant`); access-logged. */
  prefill(code: string, applicant?: string): Promise<Prefill> {
    const q = applicant ? `?${new URLSearchParams({ applicant }).toString()}` : '';
    return request('GET', `/api/v1/procedures/${encodeURIComponent(code)}/prefill${q}`);
  },

  /** Public: the agencies of a province (or of a unit). */
  agencies(params: { province?: string; unit?: string; q?: string }): Promise<{ items: Agency[] }> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) qs.set(k, v);
    return request('GET', `/api/v1/agencies?${qs.toString()}`);
  },

  /** Uploads one file of a dossier component (the raw body with its own type: PDF, JPEG or PNG). */
  uploadDossierFile(file: Blob, type: string): Promise<UploadedFile> {
    return request('POST', '/api/v1/dossier-files', { raw: { body: file, type } });
  },

  /** Submits a dossier; a retry with the same key and body returns the first one (created: false). */
  submitDossier(input: DossierInput, idempotencyKey: string): Promise<{ dossier: Dossier; created: boolean }> {
    return request('POST', '/api/v1/dossiers', { body: input, headers: { 'Idempotency-Key': idempotencyKey } });
  },

  /** An official's inbox (sorted by due time; `after` = the previous page's `next`). */
  inbox(after?: string | null): Promise<Inbox> {
    const qs = new URLSearchParams({ limit: '50' });
    if (after) qs.set('after', after);
    return request('GET', `/api/v1/dossiers?${qs.toString()}`);
  },

  /** A citizen's or business's own dossiers, newest first. */
  myDossiers(): Promise<{ items: DossierSummary[] }> {
    return request('GET', '/api/v1/dossiers');
  },

  dossier(code: string): Promise<{ dossier: Dossier }> {
    return request('GET', dossierPath(code));
  },

  /** A workflow action (receive, forward, propose, approve, return, rate, …). */
  dossierAction(code: string, action: string, body: Record<string, unknown>): Promise<{ dossier: Dossier }> {
    return request('POST', `${dossierPath(code)}/actions/${encodeURIComponent(action)}`, { body });
  },

  /** Public lookup by dossier code (no personal data). */
  publicDossier(code: string): Promise<{ dossier: PublicDossier }> {
    return request('GET', `/api/v1/public/dossiers/${encodeURIComponent(code)}`);
  },

  /** Public: verifies a result from its QR code (the dossier code and the signature). */
  verifyResult(code: string, signature: string): Promise<Verification> {
    return request('GET', `/api/v1/public/results/${encodeURIComponent(code)}?${new URLSearchParams({ s: signature }).toString()}`);
  },

  /** Public: verifies a signed result JSON file as issued. */
  verifyResultFile(file: Blob): Promise<Verification> {
    return request('POST', '/api/v1/public/results/verify', { raw: { body: file, type: 'application/json' } });
  },

  // ---- data exchange (docs/EXCHANGE.md; exchange.manage) ----

  exchangeSystems(): Promise<{ items: ExchangeSystem[] }> {
    return request('GET', '/api/v1/exchange/systems');
  },

  registerSystem(input: { id: string; name: string; account_id: number; rate_per_second?: number }): Promise<{
    system: ExchangeSystem;
  }> {
    return request('POST', '/api/v1/exchange/systems', { body: input });
  },

  exchangeServices(): Promise<{ items: ExchangeService[] }> {
    return request('GET', '/api/v1/exchange/services');
  },

  publishService(input: NewExchangeService): Promise<{ service: ExchangeService }> {
    return request('POST', '/api/v1/exchange/services', { body: input });
  },

  exchangeGrants(): Promise<{ items: ExchangeGrant[] }> {
    return request('GET', '/api/v1/exchange/grants');
  },

  createGrant(input: NewExchangeGrant): Promise<{ id: number }> {
    return request('POST', '/api/v1/exchange/grants', { body: input });
  },

  revokeGrant(id: number): Promise<{ ok: boolean }> {
    return request('DELETE', `/api/v1/exchange/grants/${encodeURIComponent(String(id))}`);
  },

  /** The message log, newest first; empty filters are left out. */
  exchangeMessages(params: { client?: string; service?: string; status?: string; limit?: number }): Promise<{
    items: ExchangeMessage[];
  }> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') qs.set(k, String(v));
    const q = qs.toString();
    return request('GET', `/api/v1/exchange/messages${q ? `?${q}` : ''}`);
  },

  /** Event deliveries (newest first, at most 500); empty filters are left out. */
  exchangeDeliveries(params: { status?: string; subscription?: string }): Promise<{ items: ExchangeDelivery[] }> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) qs.set(k, v);
    const q = qs.toString();
    return request('GET', `/api/v1/exchange/deliveries${q ? `?${q}` : ''}`);
  },

  /** A dead delivery: try again (redeliver) or give it up (skip); either way its key resumes. */
  deliveryAction(id: number, action: 'redeliver' | 'skip'): Promise<{ ok: boolean }> {
    return request('POST', `/api/v1/exchange/deliveries/${encodeURIComponent(String(id))}/${action}`);
  },

  /** Subscriptions (system=, topic=) with their deliveries counted by status. */
  exchangeSubscriptions(params: { system?: string; topic?: string }): Promise<{ items: ExchangeSubscription[] }> {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v) qs.set(k, v);
    const q = qs.toString();
    return request('GET', `/api/v1/exchange/subscriptions${q ? `?${q}` : ''}`);
  },

  /** Pause a subscription (its events wait) or resume it (they are delivered in order); 409 invalid_state otherwise. */
  subscriptionAction(id: number, action: 'pause' | 'resume'): Promise<{ ok: boolean }> {
    return request('POST', `/api/v1/exchange/subscriptions/${encodeURIComponent(String(id))}/${action}`, { body: {} });
  },

  /** Open: the event types (topics) with their JSON schemas. */
  eventTypes(): Promise<{ items: EventType[] }> {
    return request('GET', '/api/v1/pubsub/event-types');
  },

  // ---- API keys of an account (docs/API.md; accounts.manage) ----

  apiKeys(accountId: number): Promise<{ items: ApiKey[] }> {
    return request('GET', `/api/v1/accounts/${encodeURIComponent(String(accountId))}/api-keys`);
  },

  /** Issues a new key; the older ones keep working for overlap_hours (0 ends them now). */
  issueApiKey(accountId: number, overlapHours: number): Promise<IssuedApiKey> {
    return request('POST', `/api/v1/accounts/${encodeURIComponent(String(accountId))}/api-keys`, {
      body: { overlap_hours: overlapHours },
    });
  },

  revokeApiKey(accountId: number, keyId: number): Promise<{ ok: boolean }> {
    return request(
      'DELETE',
      `/api/v1/accounts/${encodeURIComponent(String(accountId))}/api-keys/${encodeURIComponent(String(keyId))}`,
    );
  },
};

function dossierPath(code: string): string {
  return `/api/v1/dossiers/${encodeURIComponent(code)}`;
}

/** The receipt ("giấy tiếp nhận và hẹn trả kết quả") as PDF: a plain same-origin link. */
export function receiptUrl(code: string): string {
  return `${dossierPath(code)}/receipt.pdf`;
}

/** The apology slip as PDF. */
export function apologyUrl(code: string): string {
  return `${dossierPath(code)}/apology.pdf`;
}

/** A file of a dossier's components (its applicant and agencies). */
export function dossierFileUrl(code: string, sha256: string): string {
  return `${dossierPath(code)}/files/${encodeURIComponent(sha256)}`;
}

/** The public links of a result, for the holder of its signature (the QR code). */
export function resultUrls(code: string, signature: string): { pdf: string; json: string; verify: string } {
  const s = new URLSearchParams({ s: signature }).toString();
  const c = encodeURIComponent(code);
  return {
    pdf: `/api/v1/public/results/${c}/pdf?${s}`,
    json: `/api/v1/public/results/${c}/json?${s}`,
    verify: `/xac-thuc?${new URLSearchParams({ ma: code, s: signature }).toString()}`,
  };
}

function pdsPath(kind: OwnerKind, key: string): string {
  return `/api/v1/pds/${encodeURIComponent(kind)}/${encodeURIComponent(key)}/documents`;
}

/** One's own document's file (same origin: the session cookie goes with the link). */
export function myDocumentContentUrl(id: number): string {
  return `/api/v1/me/documents/${encodeURIComponent(String(id))}/content`;
}

/** A document's file for an official; the read is access-logged with the purpose, if given. */
export function pdsDocumentContentUrl(id: number, purpose?: string): string {
  const q = purpose ? `?${new URLSearchParams({ purpose }).toString()}` : '';
  return `/api/v1/pds/documents/${encodeURIComponent(String(id))}/content${q}`;
}

function recordPath(registry: RegistryName, key: string): string {
  return `/api/v1/registries/${encodeURIComponent(registry)}/records/${encodeURIComponent(key)}`;
}

/** The quality report as a CSV download (same origin: the session cookie goes with it). */
export function qualityCsvUrl(registry: RegistryName, unit: string): string {
  const qs = new URLSearchParams();
  if (unit) qs.set('unit', unit);
  qs.set('format', 'csv');
  return `/api/v1/registries/${encodeURIComponent(registry)}/quality?${qs.toString()}`;
}

/** The message to show for any thrown value. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return i18n.t('errors.network');
}

export function errorField(e: unknown): string | null {
  return e instanceof ApiError ? e.field : null;
}
