// The parts of a dossier shared by the online submission (/thu-tuc/:code/nop) and the counter
// intake (/xu-ly/tiep-nhan): the form with its prefilled values, and the components (a file, a
// document of the data store, or the registries).
import { useRef, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api, ApiError, errorMessage } from '../../api';
import { ProvenanceBadge } from '../../components/Dossier';
import { SelectField, TextField } from '../../components/Field';
import { docTypeLabel } from '../../documents';
import {
  DOSSIER_FILE_ACCEPT,
  dossierFileMime,
  dossierFileProblem,
  MAX_DOSSIER_FILE_BYTES,
} from '../../dossiers';
import { formatBytes, formatDate } from '../../format';
import type { ComponentInput, ComponentSource, Prefill, Procedure, ProcedureComponent, ProcedureFormField } from '../../types';

/** How the person chose to give one component. */
export interface ComponentChoice {
  /** The registries provide it (the checkbox). */
  registry: boolean;
  /** A document of the data store (its id), or null. */
  documentId: number | null;
  /** An uploaded file (its SHA-256 from POST /api/v1/dossier-files). */
  file: { sha256: string; name: string; size: number } | null;
  uploading: boolean;
}

export type Mode = 'online' | 'counter';

export type IntakeErrors = Record<string, string>;

const EMPTY_CHOICE: ComponentChoice = { registry: false, documentId: null, file: null, uploading: false };

/** The file source of a mode: uploaded online, scanned at the counter. */
function fileSource(mode: Mode): ComponentSource {
  return mode === 'online' ? 'upload' : 'scan';
}

/** What the registries can give for this applicant (prefill.registry_components). */
function registryOffered(prefill: Prefill | null, c: ProcedureComponent): boolean {
  return !!prefill && c.sources.includes('registry') && prefill.registry_components.some((r) => r.component === c.code);
}

function documentsFor(prefill: Prefill | null, c: ProcedureComponent) {
  if (!prefill || !c.sources.includes('pds')) return [];
  return prefill.documents.filter((d) => d.component === c.code).map((d) => d.document);
}

/** The form values to send: what was typed (prefilled fields are left to the server, with their provenance). */
export function buildForm(p: Procedure, prefill: Prefill | null, values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of p.form_fields) {
    if (prefill?.form[f.name]) continue;
    const v = (values[f.name] ?? '').trim();
    if (v) out[f.name] = v;
  }
  return out;
}

export function buildComponents(p: Procedure, choices: Record<string, ComponentChoice>, mode: Mode): ComponentInput[] {
  const out: ComponentInput[] = [];
  for (const c of p.components) {
    const ch = choices[c.code];
    if (!ch) continue;
    if (ch.registry) out.push({ code: c.code, source: 'registry' });
    else if (ch.documentId !== null) out.push({ code: c.code, source: 'pds', document_id: ch.documentId });
    else if (ch.file) out.push({ code: c.code, source: fileSource(mode), sha256: ch.file.sha256, file_name: ch.file.name });
  }
  return out;
}

/** Checks made before sending (the server checks them again): keys are "form.NAME" and "components.CODE". */
export function validateIntake(
  t: TFunction,
  p: Procedure,
  prefill: Prefill | null,
  values: Record<string, string>,
  choices: Record<string, ComponentChoice>,
): IntakeErrors {
  const errs: IntakeErrors = {};
  for (const f of p.form_fields) {
    if (prefill?.form[f.name]) continue;
    const v = (values[f.name] ?? '').trim();
    const key = `form.${f.name}`;
    if (!v) {
      if (f.required) errs[key] = t('intake.fieldRequired');
      continue;
    }
    if (f.type === 'personal_id' && !/^\d{12}$/.test(v)) errs[key] = t('intake.badPersonalId');
    else if (f.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(v)) errs[key] = t('intake.badDate');
    else if (f.type === 'number' && !/^-?\d+(\.\d+)?$/.test(v)) errs[key] = t('intake.badNumber');
    else if (f.type === 'enterprise_code' && !/^\d{10}(-\d{3})?$/.test(v)) errs[key] = t('intake.badEnterpriseCode');
  }
  for (const c of p.components) {
    const ch = choices[c.code] ?? EMPTY_CHOICE;
    const key = `components.${c.code}`;
    if (ch.uploading) errs[key] = t('intake.stillUploading');
    else if (c.required && !ch.registry && ch.documentId === null && !ch.file) errs[key] = t('intake.componentRequired');
  }
  return errs;
}

/** Where a server error's field is shown: "form.X", "components.X" (also "components.X.sha256"), or null. */
export function intakeErrorKey(field: string | null): string | null {
  if (!field) return null;
  const m = /^(form|components)\.([^.]+)/.exec(field);
  return m ? `${m[1]}.${m[2]}` : null;
}

/** The element id of a key, to move the focus to the first problem. */
export function intakeElementId(prefix: string, key: string): string {
  const [kind, name] = key.split('.');
  return kind === 'form' ? `${prefix}-field-${name}` : `${prefix}-component-${name}`;
}

function FormField({
  f,
  prefix,
  prefilled,
  value,
  error,
  disabled,
  onChange,
}: {
  f: ProcedureFormField;
  prefix: string;
  prefilled: Prefill['form'][string] | undefined;
  value: string;
  error?: string;
  disabled: boolean;
  onChange: (v: string) => void;
}) {
  const { t } = useTranslation();
  const id = `${prefix}-field-${f.name}`;
  const label = f.required ? f.label : `${f.label} ${t('intake.optionalSuffix')}`;
  if (prefilled) {
    return (
      <div className="prefilled">
        <TextField
          id={id}
          name={f.name}
          label={label}
          hint={t('intake.prefilledHint')}
          readOnly
          value={prefilled.value}
          data-testid={`intake-field-${f.name}`}
        />
        <ProvenanceBadge provenance={prefilled.provenance} testId={`intake-provenance-${f.name}`} />
      </div>
    );
  }
  const common = {
    id,
    name: f.name,
    label,
    error,
    disabled,
    required: f.required,
    value,
    'data-testid': `intake-field-${f.name}`,
  };
  if (f.type === 'select') {
    return (
      <SelectField {...common} onChange={(e) => onChange(e.target.value)}>
        <option value="">{t('intake.choose')}</option>
        {(f.options ?? []).map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </SelectField>
    );
  }
  const typeProps =
    f.type === 'date'
      ? { type: 'date' }
      : f.type === 'personal_id'
        ? { inputMode: 'numeric' as const, maxLength: 12, autoComplete: 'off', hint: t('intake.personalIdHint') }
        : f.type === 'enterprise_code'
          ? { inputMode: 'numeric' as const, maxLength: 14, autoComplete: 'off' }
          : f.type === 'number'
            ? { inputMode: 'decimal' as const }
            : { maxLength: 2000, autoComplete: 'off' };
  return <TextField {...common} {...typeProps} onChange={(e) => onChange(e.target.value)} />;
}

/** The form of the procedure: prefilled values read-only with their source, the rest to fill in. */
export function FormFieldsSection({
  procedure,
  prefill,
  values,
  errors,
  disabled,
  prefix,
  onChange,
}: {
  procedure: Procedure;
  prefill: Prefill | null;
  values: Record<string, string>;
  errors: IntakeErrors;
  disabled: boolean;
  prefix: string;
  onChange: (name: string, value: string) => void;
}) {
  const { t } = useTranslation();
  const anyPrefilled = procedure.form_fields.some((f) => prefill?.form[f.name]);
  return (
    <section className="card" aria-labelledby={`${prefix}-form-title`} data-testid="intake-form-fields">
      <h2 id={`${prefix}-form-title`} className="card__title">
        {t('intake.formTitle')}
      </h2>
      {anyPrefilled && <p className="muted">{t('intake.prefilledIntro')}</p>}
      <div className="form form--grid">
        {procedure.form_fields.map((f) => (
          <FormField
            key={f.name}
            f={f}
            prefix={prefix}
            prefilled={prefill?.form[f.name]}
            value={values[f.name] ?? ''}
            error={errors[`form.${f.name}`]}
            disabled={disabled}
            onChange={(v) => onChange(f.name, v)}
          />
        ))}
      </div>
    </section>
  );
}

function ComponentRow({
  c,
  mode,
  prefix,
  prefill,
  choice,
  error,
  disabled,
  onChange,
}: {
  c: ProcedureComponent;
  mode: Mode;
  prefix: string;
  prefill: Prefill | null;
  choice: ComponentChoice;
  error?: string;
  disabled: boolean;
  onChange: (next: ComponentChoice | ((prev: ComponentChoice) => ComponentChoice)) => void;
}) {
  const { t } = useTranslation();
  const [fileError, setFileError] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const id = `${prefix}-component-${c.code}`;
  const canRegistry = registryOffered(prefill, c);
  const docs = documentsFor(prefill, c);
  const canFile = c.sources.includes(fileSource(mode));
  const shownError = fileError ?? error ?? null;

  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0] ?? null;
    setFileError(null);
    if (!f) return;
    const problem = dossierFileProblem(f);
    if (problem) {
      setFileError(t(`intake.fileProblems.${problem}`, { size: formatBytes(f.size), max: formatBytes(MAX_DOSSIER_FILE_BYTES) }));
      if (fileRef.current) fileRef.current.value = '';
      return;
    }
    onChange((prev) => ({ ...prev, uploading: true }));
    try {
      const r = await api.uploadDossierFile(f, dossierFileMime(f) ?? f.type);
      onChange((prev) => ({ ...prev, uploading: false, file: { sha256: r.sha256, name: f.name, size: r.size } }));
    } catch (err) {
      setFileError(err instanceof ApiError || err instanceof Error ? errorMessage(err) : String(err));
      onChange((prev) => ({ ...prev, uploading: false }));
      if (fileRef.current) fileRef.current.value = '';
    }
  };

  const removeFile = () => {
    onChange((prev) => ({ ...prev, file: null }));
    if (fileRef.current) fileRef.current.value = '';
  };

  let status: string;
  if (choice.uploading) status = t('intake.uploading');
  else if (choice.registry) status = t('intake.givenRegistry');
  else if (choice.documentId !== null) {
    const d = docs.find((x) => x.id === choice.documentId);
    status = t('intake.givenDocument', { title: d?.title ?? `#${choice.documentId}` });
  } else if (choice.file) status = t('intake.givenFile', { name: choice.file.name, size: formatBytes(choice.file.size) });
  else status = c.required ? t('intake.notGivenRequired') : t('intake.notGiven');
  const given = choice.registry || choice.documentId !== null || !!choice.file;
  const nothingOnline = !canRegistry && docs.length === 0 && !canFile;

  return (
    <fieldset
      className={`component${shownError ? ' component--invalid' : ''}`}
      id={id}
      tabIndex={-1}
      aria-describedby={shownError ? `${id}-error` : undefined}
      data-testid={`intake-component-${c.code}`}
    >
      <legend className="component__legend">
        <span className="component-code">{c.code}</span> {c.name}{' '}
        <span className={c.required ? 'badge badge--soon' : 'badge badge--other'}>
          {c.required ? t('procedures.required') : t('procedures.optional')}
        </span>
      </legend>

      {canRegistry && (
        <label className="check">
          <input
            type="checkbox"
            checked={choice.registry}
            disabled={disabled || choice.uploading}
            onChange={(e) => onChange((prev) => ({ ...prev, registry: e.target.checked }))}
            data-testid={`intake-component-${c.code}-registry`}
          />
          <span>
            {t('intake.useRegistry')}
            <span className="muted doc-note">{t('intake.useRegistryNote')}</span>
          </span>
        </label>
      )}

      {docs.length > 0 && (
        <SelectField
          id={`${id}-document`}
          label={t('intake.useDocument')}
          value={choice.documentId === null ? '' : String(choice.documentId)}
          disabled={disabled || choice.registry}
          onChange={(e) => {
            const v = e.target.value;
            onChange((prev) => ({ ...prev, documentId: v ? Number(v) : null }));
          }}
          data-testid={`intake-component-${c.code}-document`}
        >
          <option value="">{t('intake.noDocument')}</option>
          {docs.map((d) => (
            <option key={d.id} value={d.id}>
              {d.title} — {docTypeLabel(t, d.doc_type)}
              {d.issued_at ? ` (${formatDate(d.issued_at)})` : ''}
            </option>
          ))}
        </SelectField>
      )}

      {canFile && (
        <div className="component__file">
          <TextField
            id={`${id}-file`}
            type="file"
            accept={DOSSIER_FILE_ACCEPT}
            label={mode === 'online' ? t('intake.uploadFile') : t('intake.scanFile')}
            hint={t('intake.fileHint')}
            ref={fileRef}
            disabled={disabled || choice.uploading || choice.registry || choice.documentId !== null}
            onChange={(e) => void pick(e)}
            data-testid={`intake-component-${c.code}-file`}
          />
          {choice.file && (
            <button
              type="button"
              className="btn btn--ghost btn--small"
              onClick={removeFile}
              disabled={disabled}
              data-testid={`intake-component-${c.code}-remove`}
            >
              {t('intake.removeFile')}
            </button>
          )}
        </div>
      )}

      {nothingOnline && <p className="muted">{mode === 'online' ? t('intake.counterOnly') : t('intake.noSourceHere')}</p>}

      <p
        className={given ? 'component__status component__status--given' : 'component__status'}
        role="status"
        data-testid={`intake-component-${c.code}-status`}
      >
        {status}
      </p>
      {shownError && (
        <p className="field__error" id={`${id}-error`} data-testid={`intake-component-${c.code}-error`}>
          {shownError}
        </p>
      )}
    </fieldset>
  );
}

/** The components of the procedure, each from the registries, the data store or a file. */
export function ComponentsSection({
  procedure,
  prefill,
  mode,
  choices,
  errors,
  disabled,
  prefix,
  onChange,
}: {
  procedure: Procedure;
  prefill: Prefill | null;
  mode: Mode;
  choices: Record<string, ComponentChoice>;
  errors: IntakeErrors;
  disabled: boolean;
  prefix: string;
  onChange: (code: string, next: (prev: ComponentChoice) => ComponentChoice) => void;
}) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby={`${prefix}-components-title`} data-testid="intake-components">
      <h2 id={`${prefix}-components-title`} className="card__title">
        {t('intake.componentsTitle')}
      </h2>
      <p className="muted">{mode === 'online' ? t('intake.componentsIntro') : t('intake.componentsIntroCounter')}</p>
      <div className="components">
        {procedure.components.map((c) => (
          <ComponentRow
            key={c.code}
            c={c}
            mode={mode}
            prefix={prefix}
            prefill={prefill}
            choice={choices[c.code] ?? EMPTY_CHOICE}
            error={errors[`components.${c.code}`]}
            disabled={disabled}
            onChange={(next) =>
              onChange(c.code, (prev) => (typeof next === 'function' ? next(prev) : next))
            }
          />
        ))}
      </div>
    </section>
  );
}

/** State of the components, keyed by code. */
export function useComponentChoices(): [
  Record<string, ComponentChoice>,
  (code: string, next: (prev: ComponentChoice) => ComponentChoice) => void,
  () => void,
] {
  const [choices, setChoices] = useState<Record<string, ComponentChoice>>({});
  const update = (code: string, next: (prev: ComponentChoice) => ComponentChoice) =>
    setChoices((all) => ({ ...all, [code]: next(all[code] ?? EMPTY_CHOICE) }));
  return [choices, update, () => setChoices({})];
}
