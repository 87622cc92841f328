// Data exchange administration (docs/EXCHANGE.md): the checks the server makes, done in the browser
// first, and the states derived from the rows.

import type { ApiKey, ExchangeGrant } from './types';

/** One part of a system id: 1–64 of letters, digits, - _ . : (exchange::id_part). */
const ID_PART = /^[A-Za-z0-9._:-]{1,64}$/;

/** INSTANCE/CLASS/MEMBER/SUBSYSTEM, e.g. VN/GOV/000.00.00.H26/MOTCUA. */
export function isSystemId(s: string): boolean {
  const parts = s.split('/');
  return parts.length === 4 && parts.every((p) => ID_PART.test(p));
}

/** A service code: the same characters as an id part. */
export function isServiceCode(s: string): boolean {
  return ID_PART.test(s);
}

/** http://host[:port]/path (the gateway forwards over plain HTTP; TLS through a local proxy). */
export function isUpstreamUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' && !!u.hostname;
  } catch {
    return false;
  }
}

/** Path prefixes typed one a line (or separated by commas); each must start with "/". */
export function parsePaths(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((p) => p.trim())
    .filter(Boolean);
}

export const TIMEOUT_MIN = 100;
export const TIMEOUT_MAX = 120_000;
export const TIMEOUT_DEFAULT = 10_000;
export const MAX_BODY_LIMIT = 16 * 1024 * 1024;
export const MAX_BODY_DEFAULT = 1024 * 1024;
export const OVERLAP_DEFAULT = 24;
export const OVERLAP_MAX = 24 * 90;

export type GrantState = 'active' | 'pending' | 'expired' | 'revoked';

/** Revoked, not yet valid, past its end, or current (at `now`, ms since the epoch). */
export function grantState(g: ExchangeGrant, now: number = Date.now()): GrantState {
  if (g.revoked_at) return 'revoked';
  if (g.valid_from && Date.parse(g.valid_from) > now) return 'pending';
  if (g.valid_to && Date.parse(g.valid_to) <= now) return 'expired';
  return 'active';
}

export type KeyState = 'active' | 'expiring' | 'expired' | 'revoked';

/** A key is expiring during a rotation's overlap, expired after it. */
export function keyState(k: ApiKey, now: number = Date.now()): KeyState {
  if (k.revoked_at) return 'revoked';
  if (k.expires_at) return Date.parse(k.expires_at) <= now ? 'expired' : 'expiring';
  return 'active';
}

/** Badge tone (the badge--st-* classes) of each state. */
export const STATE_TONE: Record<string, 'ok' | 'warn' | 'bad' | 'info' | 'neutral'> = {
  active: 'ok',
  pending: 'info',
  expiring: 'warn',
  expired: 'neutral',
  revoked: 'bad',
  delivered: 'ok',
  claimed: 'info',
  dead: 'bad',
  skipped: 'neutral',
  paused: 'warn',
};

/** The tone of an HTTP status in the message log. */
export function statusTone(status: number): 'ok' | 'warn' | 'bad' {
  if (status >= 200 && status < 400) return 'ok';
  if (status >= 500) return 'bad';
  return 'warn';
}

/** A datetime-local value ("2025-07-01T08:00", the browser's time zone) as ISO 8601 UTC; '' when empty or invalid. */
export function localToIso(v: string): string {
  if (!v) return '';
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** Pretty-prints JSON text (a schema); the text as it is when it is not JSON. */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
