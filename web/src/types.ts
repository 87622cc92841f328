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

// ---- base registries (docs/REGISTRY.md) ----

export type RegistryName = 'citizens' | 'enterprises' | 'households' | 'parcels';

/** In the order the lookup page offers them (citizens first, the default). */
export const REGISTRIES: readonly RegistryName[] = ['citizens', 'enterprises', 'households', 'parcels'];

export function isRegistryName(v: unknown): v is RegistryName {
  return typeof v === 'string' && (REGISTRIES as readonly string[]).includes(v);
}

/** Roles with registry.read (server: src/modules/identity/identity.cpp). */
export function canReadRegistry(role: Role | undefined | null): boolean {
  return (
    role === 'system-admin' ||
    role === 'province-admin' ||
    role === 'one-stop-officer' ||
    role === 'specialist' ||
    role === 'leader'
  );
}

/** Roles with registry.quality. */
export function canSeeQuality(role: Role | undefined | null): boolean {
  return role === 'system-admin' || role === 'province-admin' || role === 'leader';
}

/** The source system and time of one field's value. */
export interface Provenance {
  source: string;
  at: string;
}

/** GET /api/v1/registries/{registry}/records/{key} → record. */
export interface RegistryRecord {
  registry: RegistryName | string;
  key: string;
  version: number;
  deleted: boolean;
  /** Normalised values, all strings (empty when unknown). */
  data: Record<string, string>;
  provenance: Record<string, Provenance>;
  /** Rule codes of the findings kept on the record (unified.*, clean.*). */
  warnings: string[];
  verified_at: string;
  updated_at: string;
}

/** One item of GET …/records/{key}/history (oldest first). */
export interface RegistryVersion {
  version: number;
  deleted: boolean;
  data: Record<string, string>;
  /** Rule codes joined by "|" (may be empty). */
  warnings: string;
  valid_from: string;
  source: string;
  actor: string;
}

export interface QualityRule {
  rule: string;
  count: number;
  /** 0..1 of total */
  rate: number;
}

/** GET /api/v1/registries/{registry}/quality */
export interface QualityReport {
  registry: string;
  /** The unit reported on (the caller's province when none was asked); empty = everything. */
  unit: string;
  total: number;
  stale_days?: number;
  rules: QualityRule[];
}

/** GET /api/v1/registries/{registry}/quality/records?rule= */
export interface QualityRecords {
  rule: string;
  unit: string;
  /** At most 1,000. */
  keys: string[];
}

/** One line of GET /api/v1/me/data-access (newest first). */
export interface DataAccess {
  at: string;
  reader: string;
  role: string;
  unit: string;
  registry: string;
  /** "*" for the whole record, else field names joined by ",". */
  fields: string;
  /** A registered purpose code, "view" (record page), "history", or what the reader typed. */
  purpose: string;
  outcome: 'granted' | 'refused' | string;
}

export interface Purpose {
  code: string;
  name: string;
  registry: string;
  attributes: string[];
  roles: string[];
  legal_basis: string;
  status: string;
}

// ---- personal data store (docs/REGISTRY.md, "Personal data store") ----

export type OwnerKind = 'citizen' | 'enterprise';

/** The store of a registry's records: citizens and enterprises have one, the others do not. */
export function ownerKindOf(registry: RegistryName): OwnerKind | null {
  if (registry === 'citizens') return 'citizen';
  if (registry === 'enterprises') return 'enterprise';
  return null;
}

/** Roles with pds.read (server: src/modules/identity/identity.cpp). */
export function canReadPds(role: Role | undefined | null): boolean {
  return role === 'system-admin' || role === 'province-admin' || role === 'one-stop-officer' || role === 'specialist';
}

/** Roles with pds.write: add and revoke. */
export function canWritePds(role: Role | undefined | null): boolean {
  return role === 'system-admin' || role === 'province-admin' || role === 'one-stop-officer';
}

/** Who has a store of their own (GET /api/v1/me/documents): verified citizens and businesses. */
export function hasOwnStore(account: Pick<Account, 'role' | 'verified'> | null | undefined): boolean {
  return !!account && account.verified && (account.role === 'citizen' || account.role === 'business');
}

/** One document of a store (GET …/documents → items). */
export interface PdsDocument {
  id: number;
  owner_kind: OwnerKind | string;
  owner_key: string;
  /** 2–40 of a-z 0-9 -, e.g. giay-khai-sinh. */
  doc_type: string;
  title: string;
  sha256: string;
  size: number;
  mime: string;
  issued_by: string | null;
  issued_at: string | null;
  valid_until: string | null;
  /** api:<official>, owner:<user>, result:<procedure> */
  source: string;
  dossier_code: string | null;
  status: 'active' | 'revoked' | string;
  created_at: string;
}

/** The answer of a POST …/documents: 201 created, or 200 with the document already there. */
export interface AddedDocument {
  document: PdsDocument;
  created: boolean;
}

/** What the upload form sends besides the file (query parameters; empty ones are left out). */
export interface NewDocumentMeta {
  doc_type: string;
  title: string;
  issued_by?: string;
  issued_at?: string;
  valid_until?: string;
}
