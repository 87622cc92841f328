export type AccountKind = 'official' | 'citizen' | 'business' | 'member-system';

export type Role =
  | 'system-admin'
  | 'province-admin'
  | 'one-stop-officer'
  | 'specialist'
  | 'leader'
  | 'citizen'
  | 'business'
  | 'member-system';

export const ROLES: readonly Role[] = [
  'system-admin',
  'province-admin',
  'one-stop-officer',
  'specialist',
  'leader',
  'citizen',
  'business',
  'member-system',
];

export type AccountStatus = 'active' | 'disabled';

export interface Account {
  id: number;
  username: string;
  display_name: string;
  kind: AccountKind;
  role: Role;
  unit_code: string | null;
  unit_name: string | null;
  email: string | null;
  status: AccountStatus;
  verified: boolean;
  must_change_password: boolean;
  totp_enabled: boolean;
  created_at: string;
}

export interface Unit {
  code: string;
  name: string;
  level: 'province' | 'commune' | string;
  type: string;
  parent_code: string | null;
}

export interface LoginResponse {
  token: string;
  expires_at: string;
  account: Account;
}

export interface AccountList {
  items: Account[];
  total: number;
}

export interface CreatedAccount {
  account: Account;
  one_time_password: string;
}

export function isAdminRole(role: Role | undefined | null): boolean {
  return role === 'system-admin' || role === 'province-admin';
}

// ---- address conversion (old administrative units -> the 2025 two-tier units) ----

export type ConversionStatus = 'converted' | 'ambiguous' | 'unresolved';

export const CONVERSION_STATUSES: readonly ConversionStatus[] = ['converted', 'ambiguous', 'unresolved'];

export type MatchHow = 'code' | 'exact' | 'folded' | 'variant' | 'fuzzy' | 'inferred';

/** How one old level (province, district, commune) of the input was recognised. */
export interface UnitMatch {
  code: string;
  name: string;
  how: MatchHow | string;
}

export interface ConversionCandidate {
  code: string;
  name: string;
}

export interface ConversionResult {
  status: ConversionStatus;
  input: string;
  street: string;
  new_address: string;
  new_commune_code: string | null;
  new_commune_name: string | null;
  new_province_code: string | null;
  new_province_name: string | null;
  /** 0..1 */
  confidence: number;
  candidates: ConversionCandidate[];
  /** Vietnamese or English (Accept-Language); may be empty. */
  reason: string;
  matched: {
    province: UnitMatch | null;
    district: UnitMatch | null;
    commune: UnitMatch | null;
  };
}

export interface ConversionSummary {
  converted: number;
  ambiguous: number;
  unresolved: number;
}

/** The answer of POST /api/v1/addresses/convert-csv. */
export interface ConvertedCsv {
  blob: Blob;
  /** null when the X-Conversion-Summary header is missing or malformed. */
  summary: ConversionSummary | null;
}
