import { locale } from './i18n';

export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'Asia/Ho_Chi_Minh',
  }).format(d);
}

/** 0.873 -> "87 %" (vi) / "87%" (en); clamps to 0..1. `digits`: at most this many decimals (default 0). */
export function formatPercent(ratio: number | null | undefined, digits = 0): string {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return '—';
  const r = Math.min(1, Math.max(0, ratio));
  return new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: digits }).format(r);
}

/** "2025-07-01" -> "01/07/2025" (vi and en-GB); partial dates ("1990", "1990-03") and other text as given. */
export function formatDate(ymd: string | null | undefined): string {
  if (!ymd) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (Number.isNaN(d.getTime())) return ymd;
  const opts: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(locale(), opts).format(d);
}

export function formatNumber(n: number): string {
  return new Intl.NumberFormat(locale()).format(n);
}

/** A file size in KiB/MiB, e.g. "51,2 MiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = u === 0 ? 0 : 1;
  return `${new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(v)} ${units[u]}`;
}
