import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../api';
import { Alert } from '../../components/Alert';
import { SelectField, TextField } from '../../components/Field';
import type { CreatedAccount, Role, Unit } from '../../types';

type FieldName = 'username' | 'display_name' | 'role' | 'unit_code' | 'email';

export function CreateAccountForm({
  roles,
  provinces,
  onCreated,
}: {
  roles: readonly Role[];
  provinces: Unit[];
  onCreated: (r: CreatedAccount) => void;
}) {
  const { t } = useTranslation();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>(roles.includes('specialist') ? 'specialist' : roles[0]);
  const [province, setProvince] = useState(provinces.length === 1 ? provinces[0].code : '');
  const [commune, setCommune] = useState('');
  const [communes, setCommunes] = useState<Unit[]>([]);
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});

  useEffect(() => {
    if (provinces.length === 1) setProvince(provinces[0].code);
  }, [provinces]);

  useEffect(() => {
    setCommune('');
    setCommunes([]);
    if (!province) return;
    let cancelled = false;
    api
      .children(province)
      .then((r) => {
        if (!cancelled) setCommunes(r.items);
      })
      .catch(() => {
        // Province-level accounts still work without the commune list.
      });
    return () => {
      cancelled = true;
    };
  }, [province]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const errs: Partial<Record<FieldName, string>> = {};
    if (!username.trim()) errs.username = t('admin.fieldRequired');
    if (!displayName.trim()) errs.display_name = t('admin.fieldRequired');
    setErrors(errs);
    if (Object.keys(errs).length) return;

    setBusy(true);
    try {
      const r = await api.createAccount({
        username: username.trim(),
        display_name: displayName.trim(),
        role,
        unit_code: commune || province || null,
        ...(email.trim() ? { email: email.trim() } : {}),
      });
      setUsername('');
      setDisplayName('');
      setEmail('');
      onCreated(r);
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field === 'username' || field === 'display_name' || field === 'role' || field === 'email') {
        setErrors({ [field]: errorMessage(err) });
      } else if (field === 'unit_code') {
        setErrors({ unit_code: errorMessage(err) });
      } else {
        setFormError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form form--grid" onSubmit={submit} noValidate data-testid="create-account-form">
      {formError && (
        <div className="form__full">
          <Alert tone="error" testId="create-error">
            {formError}
          </Alert>
        </div>
      )}
      <TextField
        id="new-username"
        label={t('admin.newUsername')}
        hint={t('admin.newUsernameHint')}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        required
        value={username}
        error={errors.username}
        onChange={(e) => setUsername(e.target.value)}
        data-testid="new-username"
      />
      <TextField
        id="new-display-name"
        label={t('admin.newDisplayName')}
        autoComplete="off"
        required
        value={displayName}
        error={errors.display_name}
        onChange={(e) => setDisplayName(e.target.value)}
        data-testid="new-display-name"
      />
      <SelectField
        id="new-role"
        label={t('admin.newRole')}
        value={role}
        error={errors.role}
        onChange={(e) => setRole(e.target.value as Role)}
        data-testid="new-role"
      >
        {roles.map((r) => (
          <option key={r} value={r}>
            {t(`roles.${r}`)}
          </option>
        ))}
      </SelectField>
      <TextField
        id="new-email"
        type="email"
        label={t('admin.newEmail')}
        autoComplete="off"
        value={email}
        error={errors.email}
        onChange={(e) => setEmail(e.target.value)}
        data-testid="new-email"
      />
      <SelectField
        id="new-province"
        label={t('admin.province')}
        value={province}
        error={errors.unit_code}
        onChange={(e) => setProvince(e.target.value)}
        data-testid="new-province"
      >
        {provinces.length !== 1 && <option value="">{t('admin.noUnit')}</option>}
        {provinces.map((p) => (
          <option key={p.code} value={p.code}>
            {p.name}
          </option>
        ))}
      </SelectField>
      <SelectField
        id="new-commune"
        label={t('admin.commune')}
        value={commune}
        disabled={!province || communes.length === 0}
        onChange={(e) => setCommune(e.target.value)}
        data-testid="new-commune"
      >
        <option value="">{t('admin.provinceLevel')}</option>
        {communes.map((c) => (
          <option key={c.code} value={c.code}>
            {c.name}
          </option>
        ))}
      </SelectField>
      <div className="form__actions form__full">
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="create-submit">
          {busy ? t('admin.creating') : t('admin.createSubmit')}
        </button>
      </div>
    </form>
  );
}
