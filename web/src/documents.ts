// The personal data store's documents (docs/REGISTRY.md, "Personal data store"): the types offered
// by the upload form and the checks made before a file is sent (the server checks them again).
import type { TFunction } from 'i18next';
import type { OwnerKind } from './types';

/** The server's limit for one document. */
export const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

/** The content types the server accepts (PDF, JPEG and PNG are checked by their first bytes). */
export const DOCUMENT_MIME_TYPES = [
  'application/pdf',
  'image/jpeg',
  'image/png',
  'application/xml',
  'application/json',
  'text/plain',
] as const;

/** For the file input: the types and their usual extensions (some systems give no type). */
export const DOCUMENT_ACCEPT = [...DOCUMENT_MIME_TYPES, '.pdf', '.jpg', '.jpeg', '.png', '.xml', '.json', '.txt'].join(',');

const BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  xml: 'application/xml',
  json: 'application/json',
  txt: 'text/plain',
};

/**
 * The Content-Type to send for a chosen file, or null when it is none of the accepted types:
 * the browser's type when accepted (text/xml counts as XML), else the one of the extension.
 */
export function documentMime(file: { name: string; type: string }): string | null {
  const type = file.type.split(';')[0].trim().toLowerCase();
  if ((DOCUMENT_MIME_TYPES as readonly string[]).includes(type)) return type;
  if (type === 'text/xml') return 'application/xml';
  const ext = /\.([a-z0-9]{1,8})$/i.exec(file.name)?.[1]?.toLowerCase() ?? '';
  return BY_EXTENSION[ext] ?? null;
}

export type DocumentProblem = 'unsupported' | 'tooLarge' | 'empty';

/** What is wrong with a chosen file before it is sent, if anything. */
export function documentProblem(file: { name: string; type: string; size: number }): DocumentProblem | null {
  if (!documentMime(file)) return 'unsupported';
  if (file.size > MAX_DOCUMENT_BYTES) return 'tooLarge';
  if (file.size === 0) return 'empty';
  return null;
}

/** Common document types (codes: 2–40 of a-z 0-9 -), by the owners they are offered to; "khac" last. */
export const DOC_TYPES: readonly { code: string; owners: readonly OwnerKind[] }[] = [
  { code: 'giay-khai-sinh', owners: ['citizen'] },
  { code: 'can-cuoc', owners: ['citizen'] },
  { code: 'so-ho-khau', owners: ['citizen'] },
  { code: 'xac-nhan-cu-tru', owners: ['citizen'] },
  { code: 'giay-chung-nhan-ket-hon', owners: ['citizen'] },
  { code: 'bang-cap', owners: ['citizen'] },
  { code: 'anh-chan-dung', owners: ['citizen'] },
  { code: 'dang-ky-doanh-nghiep', owners: ['enterprise'] },
  { code: 'dieu-le', owners: ['enterprise'] },
  { code: 'so-do', owners: ['citizen', 'enterprise'] },
  { code: 'ket-qua-tthc', owners: ['citizen', 'enterprise'] },
  { code: 'khac', owners: ['citizen', 'enterprise'] },
];

export function docTypesFor(owner: OwnerKind): string[] {
  return DOC_TYPES.filter((d) => d.owners.includes(owner)).map((d) => d.code);
}

/** A type's name ("Giấy khai sinh"); a code the list does not know is shown as it is. */
export function docTypeLabel(t: TFunction, code: string): string {
  return t(`documents.types.${code}`, { defaultValue: code });
}

const EXTENSION_OF: Record<string, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/xml': 'xml',
  'application/json': 'json',
  'text/plain': 'txt',
};

/** The name offered for a document's download: its title (unsafe characters replaced) and the extension of its type. */
export function documentFileName(d: { id: number; title: string; mime: string }): string {
  const base =
    d.title
      .replace(/[\u0000-\u001f\u007f\\/:*?"<>|]+/g, '-')
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/^[.-]+|[.-]+$/g, '')
      .slice(0, 100) || `document-${d.id}`;
  const ext = EXTENSION_OF[d.mime];
  return ext ? `${base}.${ext}` : base;
}
