// Client-side checks of a CSV file before it is uploaded for conversion: the
// file itself is converted by the server; here we only read its header row.

/** The server's limit for POST /api/v1/addresses/convert-csv. */
export const MAX_CSV_BYTES = 50 * 1024 * 1024;

/** How much of the file is read to find the header row. */
const HEADER_PROBE_BYTES = 256 * 1024;

export type CsvProblem = 'notCsv' | 'tooLarge' | 'empty' | 'notUtf8' | 'noHeader' | 'readFailed';

export type CsvHeader = { ok: true; columns: string[] } | { ok: false; problem: CsvProblem };

/** A .csv name, or a CSV media type with a name that has no other extension. */
export function looksLikeCsv(file: { name: string; type: string }): boolean {
  const name = file.name.toLowerCase();
  if (name.endsWith('.csv')) return true;
  const hasExt = /\.[a-z0-9]{1,8}$/.test(name);
  return !hasExt && (file.type === 'text/csv' || file.type === 'application/csv');
}

/**
 * The fields of the first record of `text` (RFC 4180: "," separator, "..." quoting
 * with "" for a quote, CRLF or LF line ends). Returns null when the record does
 * not end within `text` and `complete` is false (the probe was too short).
 */
export function parseFirstRecord(text: string, complete: boolean): string[] | null {
  const fields: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  if (text.charCodeAt(0) === 0xfeff) i = 1; // UTF-8 byte order mark
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      fields.push(field);
      return fields;
    } else {
      field += c;
    }
  }
  if (!complete || quoted) return null;
  fields.push(field);
  return fields;
}

/** Reads the header row of a CSV file; checks type, size and UTF-8 on the way. */
export async function readCsvHeader(file: File): Promise<CsvHeader> {
  if (!looksLikeCsv(file)) return { ok: false, problem: 'notCsv' };
  if (file.size > MAX_CSV_BYTES) return { ok: false, problem: 'tooLarge' };
  if (file.size === 0) return { ok: false, problem: 'empty' };

  let bytes: ArrayBuffer;
  try {
    bytes = await file.slice(0, HEADER_PROBE_BYTES).arrayBuffer();
  } catch {
    return { ok: false, problem: 'readFailed' };
  }
  const complete = file.size <= HEADER_PROBE_BYTES;
  let text: string;
  try {
    // stream: a character cut by the probe's end is not an error; anything else invalid is.
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: !complete });
  } catch {
    return { ok: false, problem: 'notUtf8' };
  }
  const columns = parseFirstRecord(text, complete);
  if (!columns || columns.every((c) => c.trim() === '')) return { ok: false, problem: 'noHeader' };
  return { ok: true, columns };
}

function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .trim()
    .replace(/[\s-]+/g, '_');
}

/** The column to preselect: `address` or `dia_chi` (also "Địa chỉ", "Address"), else none. */
export function defaultAddressColumn(columns: readonly string[]): string {
  for (const wanted of ['address', 'dia_chi']) {
    const exact = columns.find((c) => c === wanted);
    if (exact !== undefined) return exact;
  }
  for (const wanted of ['address', 'dia_chi']) {
    const loose = columns.find((c) => fold(c) === wanted);
    if (loose !== undefined) return loose;
  }
  return '';
}

/** "data.csv" -> "data-converted.csv". */
export function convertedFileName(name: string): string {
  const base = name.replace(/\.csv$/i, '') || 'converted';
  return `${base}-converted.csv`;
}
