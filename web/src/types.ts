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
