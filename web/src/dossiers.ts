// Administrative procedures and dossiers (docs/PROCEDURES.md): files accepted for components, the
// workflow actions each role may take in each status (mirroring src/modules/dossiers/workflow.cpp;
// the server decides), and small helpers for labels.
import type { TFunction } from 'i18next';
import type { Account, ComponentSource, Dossier, FieldProvenance, TimeLimit } from './types';

/** The server's limit for one component file. */
export const MAX_DOSSIER_FILE_BYTES = 20 * 1024 * 1024;

const FILE_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
};

/** For the file inputs: the types and their extensions (some systems give no type). */
export const DOSSIER_FILE_ACCEPT = 'application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png';

/** The Content-Type to send for a component file, or null when it is not PDF, JPEG or PNG. */
export function dossierFileMime(file: { name: string; type: string }): string | null {
  const type = file.type.split(';')[0].trim().toLowerCase();
  if (Object.values(FILE_TYPES).includes(type)) return type;
  const ext = /\.([a-z0-9]{1,8})$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  return FILE_TYPES[ext] ?? null;
}

export type FileProblem = 'unsupported' | 'tooLarge' | 'empty';

export function dossierFileProblem(file: { name: string; type: string; size: number }): FileProblem | null {
  if (!dossierFileMime(file)) return 'unsupported';
  if (file.size > MAX_DOSSIER_FILE_BYTES) return 'tooLarge';
  if (file.size === 0) return 'empty';
  return null;
}

/** A fresh Idempotency-Key (crypto.randomUUID where available: it needs a secure context). */
export function newIdempotencyKey(): string {
  const c = window.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The province to offer first for an applicant: the account's own unit's province for officials,
 * else the province in a personal ID's first three digits (001… → 01), when it is one of `known`.
 */
export function defaultProvince(account: Pick<Account, 'unit_code'> & { personal_id?: string }, known: string[]): string {
  const candidates: string[] = [];
  if (account.unit_code && /^\d{2}$/.test(account.unit_code)) candidates.push(account.unit_code);
  if (account.personal_id && /^0\d{11}$/.test(account.personal_id)) candidates.push(account.personal_id.slice(1, 3));
  for (const c of candidates) if (known.includes(c)) return c;
  return known.includes('01') ? '01' : (known[0] ?? '');
}

/** "1 ngày làm việc" / "8 working hours". */
export function timeLimitText(t: TFunction, tl: TimeLimit | undefined): string {
  if (!tl) return '—';
  const unit = tl.unit === 'working_hours' ? 'hours' : tl.unit === 'working_days' ? 'days' : null;
  if (!unit) return `${tl.value} ${tl.unit}`;
  return t(`procedures.timeLimit.${unit}`, { count: tl.value });
}

/** "Lấy từ CSDL dân cư" and the like for a prefilled value's source. */
export function provenanceLabel(t: TFunction, p: Pick<FieldProvenance, 'source'>): string {
  const m = /^registry:(.+)$/.exec(p.source);
  if (m) return t(`provenance.registry.${m[1]}`, { defaultValue: t('provenance.registryOther', { registry: m[1] }) });
  if (p.source === 'applicant') return t('provenance.applicant');
  return p.source;
}

export function sourceLabel(t: TFunction, s: ComponentSource | string): string {
  return t(`dossier.sources.${s}`, { defaultValue: s });
}

// ---- workflow actions ---------------------------------------------------------------------------

export type DossierAction =
  | 'receive'
  | 'refuse'
  | 'forward'
  | 'assign'
  | 'transfer'
  | 'propose'
  | 'send_back'
  | 'approve'
  | 'request_supplement'
  | 'supplement'
  | 'request_fee'
  | 'pay'
  | 'withdraw'
  | 'stop'
  | 'return'
  | 'apology'
  | 'rate';

type At = 'receiving' | 'current' | 'applicant' | 'receiving_or_applicant' | 'receiving_or_current';

interface Rule {
  action: DossierAction;
  from: number[];
  substates?: string[];
  roles: string[];
  at: At;
}

/** In the order the workspace offers them (the usual next step first). */
const RULES: readonly Rule[] = [
  { action: 'receive', from: [1], roles: ['one-stop-officer'], at: 'receiving' },
  { action: 'forward', from: [2], roles: ['one-stop-officer'], at: 'receiving' },
  { action: 'propose', from: [4], substates: ['processing', 'transferred'], roles: ['specialist'], at: 'current' },
  { action: 'approve', from: [4], substates: ['awaiting_approval'], roles: ['leader'], at: 'current' },
  { action: 'return', from: [9], roles: ['one-stop-officer'], at: 'receiving' },
  { action: 'supplement', from: [5], roles: ['one-stop-officer'], at: 'receiving_or_applicant' },
  { action: 'pay', from: [2, 4, 6, 9], roles: ['one-stop-officer'], at: 'receiving' },
  { action: 'assign', from: [4], roles: ['leader'], at: 'current' },
  { action: 'send_back', from: [4], substates: ['awaiting_approval'], roles: ['leader'], at: 'current' },
  {
    action: 'transfer',
    from: [4],
    substates: ['processing', 'transferred'],
    roles: ['specialist', 'leader'],
    at: 'current',
  },
  {
    action: 'request_supplement',
    from: [2, 4],
    substates: ['received', 'processing', 'transferred'],
    roles: ['one-stop-officer', 'specialist'],
    at: 'receiving_or_current',
  },
  { action: 'request_fee', from: [4], substates: ['processing', 'transferred'], roles: ['specialist'], at: 'current' },
  {
    action: 'apology',
    from: [2, 4, 5, 6, 9],
    roles: ['one-stop-officer', 'specialist', 'leader'],
    at: 'receiving_or_current',
  },
  { action: 'refuse', from: [1], roles: ['one-stop-officer'], at: 'receiving' },
  { action: 'withdraw', from: [1, 2, 4, 5, 6], roles: ['one-stop-officer'], at: 'receiving_or_applicant' },
  { action: 'stop', from: [4, 5, 6], roles: ['leader'], at: 'current' },
  { action: 'rate', from: [10], roles: [], at: 'applicant' },
];

/** Actions whose body needs a written reason. */
export const NEEDS_REASON: ReadonlySet<DossierAction> = new Set([
  'refuse',
  'transfer',
  'send_back',
  'request_supplement',
  'request_fee',
  'withdraw',
  'stop',
  'apology',
]);

/** The usual next step of each stage: shown as the main button. */
export const PRIMARY: ReadonlySet<DossierAction> = new Set(['receive', 'forward', 'propose', 'approve', 'return', 'supplement']);

/** Actions that close or turn down a dossier: shown apart, as "danger". */
export const DANGEROUS: ReadonlySet<DossierAction> = new Set(['refuse', 'withdraw', 'stop']);

/** What an official (or the applicant, `applicant` true) may do with the dossier now. */
export function availableActions(
  d: Pick<Dossier, 'status' | 'substate' | 'receiving_agency' | 'current_agency' | 'rating' | 'fees'>,
  who: { role: string; agency_code: string | null; kind: string },
  applicant: boolean,
): DossierAction[] {
  const out: DossierAction[] = [];
  const official = (agency: string) => who.kind === 'official' && !!who.agency_code && who.agency_code === agency;
  for (const r of RULES) {
    if (!r.from.includes(d.status.code)) continue;
    if (r.substates && !r.substates.includes(d.substate.code)) continue;
    const roleOk = r.roles.includes(who.role);
    let ok = false;
    switch (r.at) {
      case 'applicant':
        ok = applicant;
        break;
      case 'receiving_or_applicant':
        ok = applicant || (official(d.receiving_agency.code) && roleOk);
        break;
      case 'receiving':
        ok = official(d.receiving_agency.code) && roleOk;
        break;
      case 'current':
        ok = official(d.current_agency.code) && roleOk;
        break;
      case 'receiving_or_current':
        ok = (official(d.receiving_agency.code) || official(d.current_agency.code)) && roleOk;
        break;
    }
    if (!ok) continue;
    if (r.action === 'rate' && d.rating) continue;
    if (r.action === 'pay' && d.fees && d.fees.paid >= d.fees.total) continue;
    out.push(r.action);
  }
  return out;
}

/** Dossier codes look like 000.21.04.H26-260213-0001 (letters, digits, dots, dashes). */
export function isDossierCode(s: string): boolean {
  return /^[0-9A-Za-z.]{2,40}-\d{6}-\d{4,}$/.test(s);
}
