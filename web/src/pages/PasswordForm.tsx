import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../api';
import { Alert } from '../components/Alert';
import { TextField } from '../components/Field';

export const MIN_PASSWORD_LENGTH = 10;

type FieldName = 'current_password' | 'new_password' | 'confirm';

export function PasswordForm({ onChanged }: { onChanged: () => void }) {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [success, setSuccess] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSuccess(false);
    setFormError(null);
    const errs: Partial<Record<FieldName, string>> = {};
    if (!current) errs.current_password = t('password.requiredCurrent');
    if (next.length < MIN_PASSWORD_LENGTH) errs.new_password = t('password.tooShort');
    else if (next === current) errs.new_password = t('password.same');
    if (!errs.new_password && confirm !== next) errs.confirm = t('password.mismatch');
    setFieldErrors(errs);
    if (Object.keys(errs).length) return;

    setBusy(true);
    try {
      await api.changePassword(current, next);
      setCurrent('');
      setNext('');
      setConfirm('');
      setSuccess(true);
      onChanged();
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field === 'current_password' || field === 'new_password') {
        setFieldErrors({ [field]: errorMessage(err) });
      } else {
        setFormError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form" onSubmit={submit} noValidate data-testid="password-form">
      {success && (
        <Alert tone="success" testId="password-success">
          {t('password.success')}
        </Alert>
      )}
      {formError && (
        <Alert tone="error" testId="password-error">
          {formError}
        </Alert>
      )}
      <TextField
        id="pw-current"
        name="current_password"
        type="password"
        label={t('password.current')}
        autoComplete="current-password"
        required
        value={current}
        error={fieldErrors.current_password}
        onChange={(e) => setCurrent(e.target.value)}
        data-testid="password-current"
      />
      <TextField
        id="pw-new"
        name="new_password"
        type="password"
        label={t('password.new')}
        hint={t('password.hint')}
        autoComplete="new-password"
        minLength={MIN_PASSWORD_LENGTH}
        required
        value={next}
        error={fieldErrors.new_password}
        onChange={(e) => setNext(e.target.value)}
        data-testid="password-new"
      />
      <TextField
        id="pw-confirm"
        name="confirm_password"
        type="password"
        label={t('password.confirm')}
        autoComplete="new-password"
        required
        value={confirm}
        error={fieldErrors.confirm}
        onChange={(e) => setConfirm(e.target.value)}
        data-testid="password-confirm"
      />
      <div className="form__actions">
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="password-submit">
          {busy ? t('password.submitting') : t('password.submit')}
        </button>
      </div>
    </form>
  );
}
