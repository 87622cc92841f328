import { useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, errorMessage } from '../api';
import {
  docTypeLabel,
  docTypesFor,
  DOCUMENT_ACCEPT,
  documentFileName,
  documentProblem,
  MAX_DOCUMENT_BYTES,
} from '../documents';
import { formatBytes, formatDate, formatDateTime } from '../format';
import type { AddedDocument, NewDocumentMeta, OwnerKind, PdsDocument } from '../types';
import { Alert } from './Alert';
import { SelectField, TextField } from './Field';

/**
 * The documents of a personal data store, newest first, each with a download link (a plain
 * same-origin link: the session cookie goes with it). `testId` prefixes every test id.
 */
export function DocumentTable({
  items,
  testId,
  contentUrl,
  showSource,
  onRevoke,
  revoking,
}: {
  items: PdsDocument[];
  testId: string;
  contentUrl: (id: number) => string;
  /** Officials see who added each document (api:<official>, owner:<user>, result:<procedure>). */
  showSource?: boolean;
  /** pds.write: a "Revoke" button on each row. */
  onRevoke?: (doc: PdsDocument) => void;
  /** The id being revoked (its button is disabled). */
  revoking?: number | null;
}) {
  const { t } = useTranslation();
  return (
    <div className="table-wrap">
      <table className="table" data-testid={`${testId}-table`}>
        <thead>
          <tr>
            <th scope="col">{t('documents.colTitle')}</th>
            <th scope="col">{t('documents.colType')}</th>
            <th scope="col">{t('documents.colIssuedAt')}</th>
            <th scope="col" className="num">
              {t('documents.colSize')}
            </th>
            <th scope="col">{t('documents.colAddedAt')}</th>
            {showSource && <th scope="col">{t('documents.colSource')}</th>}
            <th scope="col">{t('documents.colActions')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((d) => (
            <tr key={d.id} data-testid={`${testId}-row`} data-document-id={d.id}>
              <th scope="row" data-testid={`${testId}-title`}>
                {d.title}
                {d.valid_until && (
                  <span className="muted doc-note">{t('documents.validUntil', { date: formatDate(d.valid_until) })}</span>
                )}
              </th>
              <td data-testid={`${testId}-type`}>{docTypeLabel(t, d.doc_type)}</td>
              <td className="nowrap">{d.issued_at ? formatDate(d.issued_at) : '—'}</td>
              <td className="num nowrap">{formatBytes(d.size)}</td>
              <td className="nowrap">{formatDateTime(d.created_at)}</td>
              {showSource && (
                <td>
                  <code>{d.source}</code>
                </td>
              )}
              <td className="table__actions nowrap">
                <a
                  className="btn btn--secondary btn--small"
                  href={contentUrl(d.id)}
                  download={documentFileName(d)}
                  aria-label={t('documents.downloadTitle', { title: d.title })}
                  data-testid={`${testId}-download`}
                >
                  {t('documents.download')}
                </a>
                {onRevoke && (
                  <button
                    type="button"
                    className="btn btn--ghost btn--small"
                    disabled={revoking === d.id}
                    aria-label={t('documents.revokeTitle', { title: d.title })}
                    onClick={() => onRevoke(d)}
                    data-testid={`${testId}-revoke`}
                  >
                    {revoking === d.id ? t('documents.revoking') : t('documents.revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type FieldName = 'file' | 'doc_type' | 'title' | 'issued_by' | 'issued_at' | 'valid_until';

/** Server error fields and the form field that shows them. */
const FIELD_OF: Record<string, FieldName> = {
  file: 'file',
  content_type: 'file',
  doc_type: 'doc_type',
  title: 'title',
  issued_by: 'issued_by',
  issued_at: 'issued_at',
  valid_until: 'valid_until',
};

/**
 * Adds one document: type, title, (officials: issuing agency, expiry), date of issue, the file.
 * The file goes as the raw body with its own type; checked here first (type, at most 20 MiB).
 */
export function DocumentUploadForm({
  owner,
  idPrefix,
  full,
  upload,
  onAdded,
}: {
  owner: OwnerKind;
  /** Prefix of the element ids and test ids ("my-docs", "pds"). */
  idPrefix: string;
  /** Also the issuing agency and the expiry date (officials). */
  full?: boolean;
  upload: (file: File, meta: NewDocumentMeta) => Promise<AddedDocument>;
  onAdded: (r: AddedDocument) => void;
}) {
  const { t } = useTranslation();
  const types = docTypesFor(owner);
  const [docType, setDocType] = useState(types[0] ?? 'khac');
  const [title, setTitle] = useState('');
  const [issuedBy, setIssuedBy] = useState('');
  const [issuedAt, setIssuedAt] = useState('');
  const [validUntil, setValidUntil] = useState('');
  const [file, setFile] = useState<File | null>(null);
  /** Why the chosen file cannot be sent (checked when it is chosen). */
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<AddedDocument | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const fileRef = useRef<HTMLInputElement>(null);
  const titleRef = useRef<HTMLInputElement>(null);
  const id = (f: string) => `${idPrefix}-${f}`;

  const pick = (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0] ?? null;
    setDone(null);
    setFormError(null);
    setFile(null);
    setFileProblem(null);
    const problem = f ? documentProblem(f) : null;
    const message =
      f && problem
        ? t(`documents.problems.${problem}`, { size: formatBytes(f.size), max: formatBytes(MAX_DOCUMENT_BYTES) })
        : undefined;
    setErrors((x) => ({ ...x, file: message }));
    if (!f) return;
    if (message) setFileProblem(message);
    else setFile(f);
  };

  // The title follows the type until it is typed in.
  const changeType = (next: string) => {
    if (!title.trim() || title === docTypeLabel(t, docType)) setTitle(next === 'khac' ? '' : docTypeLabel(t, next));
    setDocType(next);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    setFormError(null);
    const errs: Partial<Record<FieldName, string>> = {};
    if (!title.trim()) errs.title = t('documents.titleRequired');
    if (fileProblem) errs.file = fileProblem;
    else if (!file) errs.file = t('documents.fileRequired');
    setErrors(errs);
    if (errs.title) {
      titleRef.current?.focus();
      return;
    }
    if (errs.file || !file) {
      fileRef.current?.focus();
      return;
    }
    setBusy(true);
    try {
      const meta: NewDocumentMeta = { doc_type: docType, title: title.trim(), issued_at: issuedAt };
      if (full) {
        meta.issued_by = issuedBy;
        meta.valid_until = validUntil;
      }
      const r = await upload(file, meta);
      setDone(r);
      setTitle('');
      setIssuedBy('');
      setIssuedAt('');
      setValidUntil('');
      setFile(null);
      setFileProblem(null);
      if (fileRef.current) fileRef.current.value = '';
      onAdded(r);
    } catch (err) {
      const field = err instanceof ApiError && err.field ? FIELD_OF[err.field] : undefined;
      if (field) setErrors({ [field]: errorMessage(err) });
      else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack">
      {done && (
        <Alert tone={done.created ? 'success' : 'info'} testId={`${idPrefix}-added`}>
          {done.created
            ? t('documents.added', { title: done.document.title })
            : t('documents.alreadyThere', { title: done.document.title })}
        </Alert>
      )}
      {formError && (
        <Alert tone="error" testId={`${idPrefix}-error`}>
          {formError}
        </Alert>
      )}
      <form className="form form--grid form--document" onSubmit={submit} noValidate data-testid={`${idPrefix}-form`}>
        <SelectField
          id={id('type')}
          name="doc_type"
          label={t('documents.type')}
          value={docType}
          error={errors.doc_type}
          disabled={busy}
          onChange={(e) => changeType(e.target.value)}
          data-testid={`${idPrefix}-type-select`}
        >
          {types.map((c) => (
            <option key={c} value={c}>
              {docTypeLabel(t, c)}
            </option>
          ))}
        </SelectField>
        <TextField
          id={id('title-input')}
          name="title"
          label={t('documents.title')}
          hint={t('documents.titleHint')}
          autoComplete="off"
          maxLength={200}
          required
          ref={titleRef}
          value={title}
          error={errors.title}
          disabled={busy}
          onChange={(e) => setTitle(e.target.value)}
          data-testid={`${idPrefix}-title-input`}
        />
        {full && (
          <TextField
            id={id('issued-by')}
            name="issued_by"
            label={t('documents.issuedBy')}
            hint={t('documents.issuedByHint')}
            autoComplete="off"
            spellCheck={false}
            maxLength={40}
            value={issuedBy}
            error={errors.issued_by}
            disabled={busy}
            onChange={(e) => setIssuedBy(e.target.value)}
            data-testid={`${idPrefix}-issued-by`}
          />
        )}
        <TextField
          id={id('issued-at')}
          name="issued_at"
          type="date"
          label={t('documents.issuedAt')}
          value={issuedAt}
          error={errors.issued_at}
          disabled={busy}
          onChange={(e) => setIssuedAt(e.target.value)}
          data-testid={`${idPrefix}-issued-at`}
        />
        {full && (
          <TextField
            id={id('valid-until')}
            name="valid_until"
            type="date"
            label={t('documents.validUntilLabel')}
            value={validUntil}
            error={errors.valid_until}
            disabled={busy}
            onChange={(e) => setValidUntil(e.target.value)}
            data-testid={`${idPrefix}-valid-until`}
          />
        )}
        <div className="form__full">
          <TextField
            id={id('file')}
            name="file"
            type="file"
            accept={DOCUMENT_ACCEPT}
            label={t('documents.file')}
            hint={t('documents.fileHint')}
            required
            ref={fileRef}
            error={errors.file}
            disabled={busy}
            onChange={pick}
            data-testid={`${idPrefix}-file`}
          />
        </div>
        <div className="form__actions form__full">
          <button type="submit" className="btn btn--primary" disabled={busy} data-testid={`${idPrefix}-submit`}>
            {busy ? t('documents.submitting') : t('documents.submit')}
          </button>
        </div>
      </form>
    </div>
  );
}
