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
  /** Officials: the agency they work at (national agency code), e.g. 000.21.04.H26. */
  agency_code?: string | null;
  /** Verified citizens (GET /api/v1/me only). */
  personal_id?: string;
  /** Verified businesses (GET /api/v1/me only). */
  enterprise_code?: string;
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

// ---- administrative procedures and dossiers (docs/PROCEDURES.md) ----

export type ProcedureLevel = 'commune' | 'province';

export interface TimeLimit {
  unit: 'working_days' | 'working_hours' | string;
  value: number;
}

/** One item of GET /api/v1/procedures → items. */
export interface ProcedureSummary {
  code: string;
  name: string;
  name_en: string;
  field_code: string;
  field_name: string;
  level: ProcedureLevel | string;
  agency_kind: string;
  time_limit: TimeLimit;
  fees_total: number;
  online_level: 'full' | 'partial' | string;
  status: string;
}

export interface ProcedureField {
  code: string;
  name: string;
}

export interface ProcedureFee {
  code: string;
  name: string;
  /** VND; 0 with a note may mean "to be set by the province". */
  amount: number;
  unit: string;
  note: string;
}

/** Where a component may come from. */
export type ComponentSource = 'upload' | 'scan' | 'registry' | 'pds';

export interface ProcedureComponent {
  code: string;
  name: string;
  required: boolean;
  sources: ComponentSource[];
  doc_type?: string;
  registry_purpose?: string;
}

export type FormFieldType =
  | 'text'
  | 'date'
  | 'number'
  | 'personal_id'
  | 'enterprise_code'
  | 'address'
  | 'select';

export interface ProcedureFormField {
  name: string;
  label: string;
  type: FormFieldType | string;
  required: boolean;
  options?: string[];
  prefill?: { registry: string; subject: string; attribute: string; purpose: string };
}

export interface WorkflowStep {
  step: 'receive' | 'process' | 'approve' | 'return' | string;
  name: string;
  role: Role | string;
  level: 'receiving' | 'competent' | string;
  share: number;
}

/** GET /api/v1/procedures/{code} → procedure. */
export interface Procedure {
  code: string;
  name: string;
  name_en: string;
  field_code: string;
  field_name: string;
  level: ProcedureLevel | string;
  agency_kind: string;
  agency_note: string;
  time_limit: TimeLimit;
  fees: ProcedureFee[];
  legal_basis: string[];
  online_level: 'full' | 'partial' | string;
  components: ProcedureComponent[];
  form_fields: ProcedureFormField[];
  result: { doc_type: string; name: string; electronic: boolean };
  workflow: WorkflowStep[];
  status: string;
  source?: string;
  notes?: string;
  version?: number;
  updated_at?: string;
}

/** Where a prefilled value comes from. */
export interface FieldProvenance {
  source: string;
  purpose?: string;
  origin?: string;
  at?: string;
}

/** GET /api/v1/procedures/{code}/prefill */
export interface Prefill {
  procedure: string;
  applicant: { kind: 'citizen' | 'business'; id: string; known: boolean };
  form: Record<string, { value: string; provenance: FieldProvenance }>;
  /** Documents of the applicant's data store that satisfy a component. */
  documents: { component: string; document: PdsDocument }[];
  /** Components the registries can provide for this applicant. */
  registry_components: { component: string; purpose: string }[];
}

/** GET /api/v1/agencies → items. */
export interface Agency {
  code: string;
  name: string;
  kind: string;
  unit_code: string;
  province_code: string;
  status: string;
  unit_name?: string;
}

/** The answer of POST /api/v1/dossier-files. */
export interface UploadedFile {
  sha256: string;
  size: number;
  mime: string;
}

/** One component as sent with POST /api/v1/dossiers. */
export interface ComponentInput {
  code: string;
  source: ComponentSource;
  sha256?: string;
  document_id?: number;
  file_name?: string;
}

export interface DossierInput {
  procedure_code: string;
  receiving_agency?: string;
  channel?: 'in_person' | 'post';
  applicant?: { kind?: 'citizen' | 'business'; id?: string; name?: string; email?: string; phone?: string };
  summary?: string;
  form: Record<string, string>;
  components: ComponentInput[];
}

export type DeadlineStatus = 'on_time' | 'due_soon' | 'overdue' | 'paused' | 'late' | '';

export interface AgencyRef {
  code: string;
  name: string;
}

/** A dossier as listed (inbox, my dossiers). */
export interface DossierSummary {
  code: string;
  procedure: { code: string; name: string; result_name: string };
  status: { code: number; name: string };
  substate: { code: string; name: string };
  step: string;
  channel: 'in_person' | 'online' | 'post' | string;
  applicant: { kind: 'citizen' | 'business' | string; name: string; id?: string; email?: string | null; phone?: string | null };
  summary: string;
  receiving_agency: AgencyRef;
  current_agency: AgencyRef;
  submitted_at: string;
  received_at: string | null;
  due_at: string | null;
  deadline: DeadlineStatus | string;
  finished_at: string | null;
  returned_at: string | null;
}

/** A form value with where it comes from ("applicant" or "registry:…"). */
export interface DossierFormValue {
  value: string;
  source: string;
  purpose?: string;
  origin?: string;
  at?: string;
}

export interface DossierComponent {
  code: string;
  name: string;
  source: ComponentSource | string;
  sha256?: string;
  size?: number;
  mime?: string;
  file_name?: string;
  document_id?: number;
  purpose?: string;
  digitised?: boolean;
  reused?: boolean;
  supplement?: number;
}

export interface DossierStep {
  step: string;
  name: string;
  role: string;
  level: string;
  share: number;
  due: string;
}

export interface TimelineEvent {
  at: string;
  by: string;
  role: string;
  agency: string;
  action: string;
  from_status: number | null;
  status: number;
  status_name: string;
  substate: string;
  step: string;
  note: string;
}

export interface DossierResult {
  name: string;
  doc_type: string;
  issued_at: string;
  kid: string;
  signer: string;
  signature: string;
  verify_url?: string;
  json_sha256?: string;
  pdf_sha256?: string;
  in_data_store?: boolean;
}

export interface DossierApology {
  number: number;
  reason: string;
  old_due: string;
  new_due: string;
  at: string;
  by: string;
  role: string;
  agency: string;
  agency_name?: string;
}

/** GET /api/v1/dossiers/{code} → dossier. */
export interface Dossier extends DossierSummary {
  competent_agency: AgencyRef;
  original_due_at: string | null;
  paused_minutes: number;
  supplements: number;
  fees: { total: number; paid: number; items: ProcedureFee[] };
  form: Record<string, DossierFormValue>;
  components: DossierComponent[];
  steps: DossierStep[];
  reused: boolean;
  digitised: boolean;
  assigned_to: number | null;
  version: number;
  result: DossierResult | null;
  apology: DossierApology | null;
  rating: { satisfaction: string; complaint: boolean; comment: string; at: string } | null;
  fee_request: { amount: number; reason: string; at: string } | null;
  supplement_request: {
    reason: string;
    items: string[];
    at: string;
    by: string;
    agency: string;
    number: number;
    answered_at?: string;
  } | null;
  timeline: TimelineEvent[];
}

/** GET /api/v1/dossiers as an official. */
export interface Inbox {
  role: Role | string;
  agency: string;
  items: DossierSummary[];
  next: string | null;
}

/** GET /api/v1/public/dossiers/{code} → dossier (no personal data). */
export interface PublicDossier {
  code: string;
  procedure: string;
  status: { code: number; name: string };
  receiving_agency: string;
  submitted_at: string;
  received_at: string | null;
  due_at: string | null;
  returned_at: string | null;
  deadline: DeadlineStatus | string;
  rated: boolean;
}

/** The signed document of a result (lienthong.result.v1). */
export interface ResultDocument {
  type: string;
  dossier_code: string;
  procedure_code: string;
  procedure_name: string;
  result_doc_type: string;
  result_name: string;
  applicant: { kind: string; id: string; name: string };
  /** Form labels → values. */
  content: Record<string, string>;
  issued_by: { code: string; name: string };
  approved_by: string;
  issued_at: string;
}

/** GET /api/v1/public/results/{code}?s= and POST /api/v1/public/results/verify. */
export interface Verification {
  valid: boolean;
  signature_valid?: boolean;
  current?: boolean;
  document?: ResultDocument;
  reason?: string;
}

/** Roles with a dossier inbox (GET /api/v1/dossiers as an official). */
export function hasInbox(role: Role | undefined | null): boolean {
  return role === 'one-stop-officer' || role === 'specialist' || role === 'leader';
}

/** Applicants: citizens and businesses (their own dossiers). */
export function isApplicantRole(role: Role | undefined | null): boolean {
  return role === 'citizen' || role === 'business';
}

// ---- data exchange (docs/EXCHANGE.md) ----

/** Roles with exchange.manage (server: src/modules/identity/identity.cpp): system and province administrators. */
export function canManageExchange(role: Role | undefined | null): boolean {
  return role === 'system-admin' || role === 'province-admin';
}

/** GET /api/v1/exchange/systems → items: a member system (an X-Road subsystem). */
export interface ExchangeSystem {
  /** INSTANCE/CLASS/MEMBER/SUBSYSTEM */
  id: string;
  name: string;
  status: 'active' | string;
  /** Its member-system account: the account's API keys authenticate the system. */
  account_id: number;
  /** 0: the default (1,000 a second). */
  rate_per_second: number;
  created_at: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** GET /api/v1/exchange/services → items: a published service. */
export interface ExchangeService {
  id: number;
  provider: string;
  code: string;
  version: string;
  upstream: string;
  methods: string[];
  paths: string[];
  timeout_ms: number;
  max_body: number;
  description: string;
  has_openapi: boolean;
  status: 'active' | string;
}

export interface NewExchangeService {
  provider: string;
  code: string;
  version?: string;
  upstream: string;
  methods: string[];
  paths: string[];
  timeout_ms: number;
  max_body: number;
  description?: string;
  openapi?: string;
}

/** GET /api/v1/exchange/grants → items (newest first, at most 1,000). */
export interface ExchangeGrant {
  id: number;
  client: string;
  service_id: number;
  /** Comma-separated; empty: the service's own methods. */
  methods: string;
  /** Empty: every published path. */
  path_prefix: string;
  valid_from: string | null;
  valid_to: string | null;
  revoked_at: string | null;
  created_by: string;
  created_at: string;
}

export interface NewExchangeGrant {
  client: string;
  service_id: number;
  methods?: string[];
  path_prefix?: string;
  valid_from?: string;
  valid_to?: string;
}

/** GET /api/v1/exchange/messages → items: one row of the hash-chained message log (newest first). */
export interface ExchangeMessage {
  id: number;
  message_id: string;
  request_id: string;
  at: string;
  client: string;
  /** PROVIDER-ID/SERVICE-CODE (or INSTANCE/listClients). */
  service: string;
  method: string;
  path: string;
  status: number;
  /** X-Road fault type, e.g. Client.AccessDenied; empty when forwarded. */
  error: string;
  request_bytes: number;
  response_bytes: number;
  latency_us: number;
  user_id: string;
  hash: string;
}

export type DeliveryStatus = 'pending' | 'claimed' | 'delivered' | 'dead' | 'skipped';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'claimed', 'delivered', 'dead', 'skipped'];

/** GET /api/v1/exchange/deliveries → items (newest first, at most 500). */
export interface ExchangeDelivery {
  id: number;
  subscription_id: number;
  /** The subscriber. */
  system: string;
  topic: string;
  event_id: number;
  key: string;
  status: DeliveryStatus | string;
  attempts: number;
  next_at: string;
  last_error: string | null;
  delivered_at: string | null;
}

export type SubscriptionStatus = 'active' | 'paused';

/** GET /api/v1/exchange/subscriptions → items (by id). */
export interface ExchangeSubscription {
  id: number;
  /** The subscriber. */
  system: string;
  /** The event type. */
  topic: string;
  mode: 'push' | 'pull' | string;
  /** Push: where the events are posted; empty for pull. */
  url: string;
  /** JSON object text (field → value); "{}" when none. */
  filter: string;
  status: SubscriptionStatus | string;
  created_at: string;
  /** Its deliveries counted by status. */
  deliveries: Record<DeliveryStatus, number>;
  /** The due time of the oldest pending, claimed or dead delivery; null when none. */
  oldest_undelivered: string | null;
}

/** GET /api/v1/pubsub/event-types → items. */
export interface EventType {
  name: string;
  description: string;
  /** JSON schema as text; may be empty. */
  schema: string;
  /** The declaring system, or "lienthong" for the platform's own. */
  owner: string;
}

/** GET /api/v1/accounts/{id}/api-keys → items (no secrets). */
export interface ApiKey {
  id: number;
  prefix: string;
  created_at: string;
  /** Set on the older keys when a new one is issued (rotation overlap). */
  expires_at: string | null;
  revoked_at: string | null;
}

/** The answer of POST /api/v1/accounts/{id}/api-keys: the key itself, shown once. */
export interface IssuedApiKey extends ApiKey {
  key: string;
}
