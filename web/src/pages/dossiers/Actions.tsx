// The workflow actions on a dossier: the buttons the viewer's role may use in the current status,
// and the small form of each (a note, or a written reason where the law wants one, and the rest).
import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { Alert } from '../../components/Alert';
import { SelectField, TextAreaField, TextField } from '../../components/Field';
import {
  availableActions,
  DANGEROUS,
  DOSSIER_FILE_ACCEPT,
  dossierFileMime,
  dossierFileProblem,
  MAX_DOSSIER_FILE_BYTES,
  NEEDS_REASON,
  PRIMARY,
  type DossierAction,
} from '../../dossiers';
import { formatBytes, formatDateTime, formatNumber } from '../../format';
import type { Account, Agency, Dossier } from '../../types';

type Errors = Partial<Record<string, string>>;

/** Tomorrow in Vietnam (YYYY-MM-DD): the earliest new appointment an apology slip may give. */
function tomorrowVn(): string {
  const d = new Date(Date.now() + 7 * 3600_000 + 86400_000);
  return d.toISOString().slice(0, 10);
}

/** The province of an official's unit (a commune's parent, or the province itself). */
async function provinceOf(unit: string | null): Promise<string> {
  if (!unit) return '';
  if (/^\d{2}$/.test(unit)) return unit;
  try {
    const r = await api.unit(unit);
    return r.unit.parent_code ?? r.unit.code;
  } catch {
    return '';
  }
}

interface Uploaded {
  sha256: string;
  name: string;
  size: number;
}

/** Files sent with a supplement (uploaded one by one as they are chosen). */
function SupplementFiles({
  files,
  setFiles,
  disabled,
  label,
}: {
  files: Uploaded[];
  setFiles: (f: (prev: Uploaded[]) => Uploaded[]) => void;
  disabled: boolean;
  label: string;
}) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const ref = useRef<HTMLInputElement>(null);
  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    const list = [...(e.target.files ?? [])];
    setError(null);
    setUploading(true);
    try {
      for (const f of list) {
        const problem = dossierFileProblem(f);
        if (problem) {
          setError(t(`intake.fileProblems.${problem}`, { size: formatBytes(f.size), max: formatBytes(MAX_DOSSIER_FILE_BYTES) }));
          continue;
        }
        const r = await api.uploadDossierFile(f, dossierFileMime(f) ?? f.type);
        setFiles((prev) => [...prev.filter((x) => x.sha256 !== r.sha256), { sha256: r.sha256, name: f.name, size: r.size }]);
      }
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setUploading(false);
      if (ref.current) ref.current.value = '';
    }
  };
  return (
    <div className="form__full">
      <TextField
        id="action-files"
        type="file"
        multiple
        accept={DOSSIER_FILE_ACCEPT}
        label={label}
        hint={t('intake.fileHint')}
        ref={ref}
        error={error}
        disabled={disabled || uploading}
        onChange={(e) => void pick(e)}
        data-testid="action-files"
      />
      {uploading && <p className="muted">{t('intake.uploading')}</p>}
      {files.length > 0 && (
        <ul className="plain-list" data-testid="action-files-list">
          {files.map((f) => (
            <li key={f.sha256}>
              {f.name} <span className="muted">({formatBytes(f.size)})</span>{' '}
              <button
                type="button"
                className="btn btn--ghost btn--small"
                disabled={disabled}
                onClick={() => setFiles((prev) => prev.filter((x) => x.sha256 !== f.sha256))}
              >
                {t('intake.removeFile')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The form of one action; sends it and hands the changed dossier back. */
function ActionForm({
  action,
  d,
  account,
  onCancel,
  onDone,
}: {
  action: DossierAction;
  d: Dossier;
  account: Account;
  onCancel: () => void;
  onDone: (d: Dossier) => void;
}) {
  const { t } = useTranslation();
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [items, setItems] = useState('');
  const [amount, setAmount] = useState(action === 'pay' ? String(Math.max(0, d.fees.total - d.fees.paid)) : '');
  const [receiptNo, setReceiptNo] = useState('');
  const [newDue, setNewDue] = useState('');
  const [accountId, setAccountId] = useState('');
  const [toAgency, setToAgency] = useState('');
  const [agencies, setAgencies] = useState<Agency[] | null>(null);
  const [files, setFiles] = useState<Uploaded[]>([]);
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const firstRef = useRef<HTMLTextAreaElement>(null);
  const needsReason = NEEDS_REASON.has(action);

  useEffect(() => {
    firstRef.current?.focus();
  }, []);

  useEffect(() => {
    if (action !== 'transfer') return undefined;
    let cancelled = false;
    void (async () => {
      const province = await provinceOf(account.unit_code);
      try {
        const r = await api.agencies(province ? { province } : {});
        if (cancelled) return;
        setAgencies((r.items ?? []).filter((a) => a.status === 'active' && a.code !== d.current_agency.code));
      } catch (e) {
        if (!cancelled) {
          setAgencies([]);
          setErrors((x) => ({ ...x, to_agency: errorMessage(e) }));
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [action, account.unit_code, d.current_agency.code]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const errs: Errors = {};
    const body: Record<string, unknown> = {};
    if (needsReason) {
      if (!reason.trim()) errs.reason = t('actions.reasonRequired');
      else body.reason = reason.trim();
    } else if (note.trim()) body.note = note.trim();
    if (action === 'request_supplement') {
      const list = items
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean);
      if (list.length) body.items = list;
    }
    if (action === 'request_fee' || action === 'pay') {
      const n = Number(amount);
      if (!/^\d+$/.test(amount.trim()) || n <= 0) errs.amount = t('actions.amountInvalid');
      else body.amount = n;
      if (action === 'pay' && receiptNo.trim()) body.receipt_no = receiptNo.trim();
    }
    if (action === 'apology') {
      if (!newDue) errs.new_due_date = t('actions.dateRequired');
      else body.new_due_date = newDue;
    }
    if (action === 'assign') {
      if (!/^\d+$/.test(accountId.trim())) errs.account_id = t('actions.accountIdInvalid');
      else body.account_id = Number(accountId.trim());
    }
    if (action === 'transfer') {
      if (!toAgency) errs.to_agency = t('actions.agencyRequired');
      else body.to_agency = toAgency;
    }
    if (action === 'supplement' && files.length) {
      body.components = files.map((f) => ({ sha256: f.sha256, name: f.name }));
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const r = await api.dossierAction(d.code, action, body);
      onDone(r.dossier);
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field && ['reason', 'amount', 'new_due_date', 'account_id', 'to_agency', 'note'].includes(field))
        setErrors({ [field]: errorMessage(err) });
      else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const label = t(`actions.names.${action}`);
  return (
    <form
      className="form form--grid action-form"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-labelledby="action-form-title"
      data-testid="action-form"
      data-action={action}
    >
      <h3 id="action-form-title" className="result__subtitle form__full">
        {label}
      </h3>
      <p className="muted form__full">{t(`actions.help.${action}`)}</p>
      {formError && (
        <div className="form__full">
          <Alert tone="error" testId="action-error">
            {formError}
          </Alert>
        </div>
      )}
      {action === 'transfer' && (
        <SelectField
          id="action-to-agency"
          label={t('actions.toAgency')}
          value={toAgency}
          error={errors.to_agency}
          disabled={busy || !agencies}
          onChange={(e) => setToAgency(e.target.value)}
          data-testid="action-to-agency"
        >
          <option value="">{agencies ? t('intake.choose') : t('app.loading')}</option>
          {agencies?.map((a) => (
            <option key={a.code} value={a.code}>
              {a.name} ({a.code})
            </option>
          ))}
        </SelectField>
      )}
      {action === 'assign' && (
        <TextField
          id="action-account-id"
          label={t('actions.accountId')}
          hint={t('actions.accountIdHint')}
          inputMode="numeric"
          value={accountId}
          error={errors.account_id}
          disabled={busy}
          onChange={(e) => setAccountId(e.target.value)}
          data-testid="action-account-id"
        />
      )}
      {(action === 'request_fee' || action === 'pay') && (
        <TextField
          id="action-amount"
          label={t('actions.amount')}
          hint={action === 'pay' ? t('actions.amountDue', { due: formatNumber(d.fees.total - d.fees.paid) }) : undefined}
          inputMode="numeric"
          value={amount}
          error={errors.amount}
          disabled={busy}
          onChange={(e) => setAmount(e.target.value)}
          data-testid="action-amount"
        />
      )}
      {action === 'pay' && (
        <TextField
          id="action-receipt-no"
          label={`${t('actions.receiptNo')} ${t('intake.optionalSuffix')}`}
          value={receiptNo}
          maxLength={60}
          disabled={busy}
          onChange={(e) => setReceiptNo(e.target.value)}
          data-testid="action-receipt-no"
        />
      )}
      {action === 'apology' && (
        <TextField
          id="action-new-due"
          type="date"
          label={t('actions.newDueDate')}
          hint={t('actions.newDueDateHint', { due: formatDateTime(d.due_at) })}
          min={tomorrowVn()}
          value={newDue}
          error={errors.new_due_date}
          disabled={busy}
          onChange={(e) => setNewDue(e.target.value)}
          data-testid="action-new-due"
        />
      )}
      <div className="form__full">
        {needsReason ? (
          <TextAreaField
            id="action-reason"
            label={t('actions.reason')}
            hint={t(`actions.reasonHint`)}
            maxLength={2000}
            required
            ref={firstRef}
            value={reason}
            error={errors.reason}
            disabled={busy}
            onChange={(e) => setReason(e.target.value)}
            data-testid="action-reason"
          />
        ) : (
          <TextAreaField
            id="action-note"
            label={`${t('actions.note')} ${t('intake.optionalSuffix')}`}
            maxLength={2000}
            ref={firstRef}
            value={note}
            error={errors.note}
            disabled={busy}
            onChange={(e) => setNote(e.target.value)}
            data-testid="action-note"
          />
        )}
      </div>
      {action === 'request_supplement' && (
        <div className="form__full">
          <TextAreaField
            id="action-items"
            label={`${t('actions.items')} ${t('intake.optionalSuffix')}`}
            hint={t('actions.itemsHint')}
            rows={3}
            value={items}
            disabled={busy}
            onChange={(e) => setItems(e.target.value)}
            data-testid="action-items"
          />
        </div>
      )}
      {action === 'supplement' && (
        <SupplementFiles
          files={files}
          setFiles={setFiles}
          disabled={busy}
          label={account.kind === 'official' ? t('actions.supplementScans') : t('actions.supplementFiles')}
        />
      )}
      <div className="form__actions form__full">
        <button
          type="submit"
          className={DANGEROUS.has(action) ? 'btn btn--danger' : 'btn btn--primary'}
          disabled={busy}
          data-testid="action-confirm"
        >
          {busy ? t('actions.sending') : t('actions.confirm', { action: label })}
        </button>
        <button type="button" className="btn btn--ghost" disabled={busy} onClick={onCancel} data-testid="action-cancel">
          {t('actions.cancel')}
        </button>
      </div>
    </form>
  );
}

/** The satisfaction rating after the result is returned (once). */
function RatingForm({ d, onDone }: { d: Dossier; onDone: (d: Dossier) => void }) {
  const { t } = useTranslation();
  const [score, setScore] = useState('');
  const [complaint, setComplaint] = useState(false);
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const errs: Errors = {};
    if (!score) errs.satisfaction = t('rating.chooseOne');
    if (complaint && !comment.trim()) errs.comment = t('rating.complaintNeedsText');
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const r = await api.dossierAction(d.code, 'rate', { satisfaction: score, complaint, comment: comment.trim() });
      onDone(r.dossier);
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field === 'satisfaction' || field === 'comment') setErrors({ [field]: errorMessage(err) });
      else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} noValidate data-testid="rating-form">
      {formError && (
        <Alert tone="error" testId="rating-error">
          {formError}
        </Alert>
      )}
      <fieldset
        className={errors.satisfaction ? 'choice-group field--invalid' : 'choice-group'}
        aria-describedby={errors.satisfaction ? 'rating-satisfaction-error' : undefined}
      >
        <legend className="field__label">{t('rating.question')}</legend>
        {(['very_satisfied', 'satisfied', 'dissatisfied'] as const).map((s) => (
          <label key={s} className="check">
            <input
              type="radio"
              name="satisfaction"
              value={s}
              checked={score === s}
              disabled={busy}
              onChange={() => setScore(s)}
              data-testid={`rating-${s}`}
            />
            <span>{t(`rating.scores.${s}`)}</span>
          </label>
        ))}
        {errors.satisfaction && (
          <p className="field__error" id="rating-satisfaction-error">
            {errors.satisfaction}
          </p>
        )}
      </fieldset>
      <label className="check">
        <input
          type="checkbox"
          checked={complaint}
          disabled={busy}
          onChange={(e) => setComplaint(e.target.checked)}
          data-testid="rating-complaint"
        />
        <span>{t('rating.complaint')}</span>
      </label>
      <TextAreaField
        id="rating-comment"
        label={complaint ? t('rating.commentRequired') : `${t('rating.comment')} ${t('intake.optionalSuffix')}`}
        maxLength={2000}
        value={comment}
        error={errors.comment}
        disabled={busy}
        onChange={(e) => setComment(e.target.value)}
        data-testid="rating-comment"
      />
      <div className="form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="rating-submit">
          {busy ? t('actions.sending') : t('rating.submit')}
        </button>
      </div>
    </form>
  );
}

/**
 * The actions the viewer may take now: an official by role and agency, or the applicant
 * (supplement, withdraw, rate). Nothing when there is none.
 */
export function ActionsPanel({ d, applicant, onChanged }: { d: Dossier; applicant: boolean; onChanged: (d: Dossier) => void }) {
  const { t } = useTranslation();
  const { account } = useAuth();
  const [open, setOpen] = useState<DossierAction | null>(null);
  const [done, setDone] = useState<DossierAction | null>(null);
  if (!account) return null;
  const actions = availableActions(
    d,
    { role: account.role, agency_code: account.agency_code ?? null, kind: account.kind },
    applicant,
  );
  const buttons = actions.filter((a) => a !== 'rate');
  const canRate = actions.includes('rate');

  const finished = (a: DossierAction) => (next: Dossier) => {
    setOpen(null);
    setDone(a);
    onChanged(next);
  };

  if (!buttons.length && !canRate && !done && !d.rating) {
    return applicant ? null : (
      <section className="card" aria-labelledby="actions-title" data-testid="actions">
        <h2 id="actions-title" className="card__title">
          {t('actions.title')}
        </h2>
        <p className="muted" data-testid="actions-none">
          {t('actions.none')}
        </p>
      </section>
    );
  }

  return (
    <section className="card" aria-labelledby="actions-title" data-testid="actions">
      <h2 id="actions-title" className="card__title">
        {applicant ? t('actions.titleApplicant') : t('actions.title')}
      </h2>
      {done && (
        <Alert tone="success" testId="action-done">
          {t('actions.done', { action: t(`actions.names.${done}`) })}
        </Alert>
      )}
      {buttons.length > 0 && (
        <div className="action-buttons" role="group" aria-label={t('actions.title')}>
          {buttons.map((a) => (
            <button
              key={a}
              type="button"
              className={
                open === a || (PRIMARY.has(a) && !open)
                  ? 'btn btn--primary'
                  : DANGEROUS.has(a)
                    ? 'btn btn--ghost btn--danger-ghost'
                    : 'btn btn--secondary'
              }
              aria-expanded={open === a}
              aria-controls={open === a ? 'action-form-title' : undefined}
              onClick={() => {
                setDone(null);
                setOpen(open === a ? null : a);
              }}
              data-testid={`action-${a}`}
            >
              {t(`actions.names.${a}`)}
            </button>
          ))}
        </div>
      )}
      {open && (
        <ActionForm key={open} action={open} d={d} account={account} onCancel={() => setOpen(null)} onDone={finished(open)} />
      )}
      {applicant && canRate && (
        <>
          <h3 className="result__subtitle">{t('rating.title')}</h3>
          <RatingForm d={d} onDone={finished('rate')} />
        </>
      )}
      {applicant && d.rating && (
        <p data-testid="rating-given">
          {t('rating.given', { score: t(`rating.scores.${d.rating.satisfaction}`), at: formatDateTime(d.rating.at) })}
          {d.rating.comment && <> — “{d.rating.comment}”</>}
        </p>
      )}
    </section>
  );
}
