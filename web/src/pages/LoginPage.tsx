import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../api';
import { useAuth } from '../auth';
import { Alert } from '../components/Alert';
import { TextField } from '../components/Field';
import { useTitle } from '../components/useTitle';

type Step = 'credentials' | 'totp';

export function LoginPage() {
  const { t } = useTranslation();
  const { setAccount, notice, clearNotice } = useAuth();
  useTitle(t('login.title'));

  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [step, setStep] = useState<Step>('credentials');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [errorField, setErrorField] = useState<string | null>(null);

  const passwordRef = useRef<HTMLInputElement>(null);
  const totpRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (step === 'totp') totpRef.current?.focus();
  }, [step]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    clearNotice();
    setError(null);
    setErrorField(null);
    if (!username.trim() || !password) {
      setError(t('login.required'));
      setErrorField(!username.trim() ? 'username' : 'password');
      return;
    }
    if (step === 'totp' && !/^\d{6}$/.test(totp)) {
      setError(t('login.totpInvalid'));
      setErrorField('totp_code');
      return;
    }
    setBusy(true);
    try {
      const r = await api.login(username.trim(), password, step === 'totp' ? totp : undefined);
      // App redirects away from /login once an account is known.
      setAccount(r.account);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.code === 'totp_required') {
        setStep('totp');
        setTotp('');
        return;
      }
      setError(errorMessage(err));
      const field = err instanceof ApiError ? err.field : null;
      setErrorField(field);
      if (err instanceof ApiError && err.code === 'invalid_credentials') {
        if (step === 'totp' && field === 'totp_code') {
          setTotp('');
          totpRef.current?.focus();
        } else {
          setPassword('');
          passwordRef.current?.focus();
        }
      }
    }
  };

  const backToCredentials = () => {
    setStep('credentials');
    setTotp('');
    setError(null);
    setErrorField(null);
  };

  return (
    <div className="auth-page">
      <section className="card auth-card" aria-labelledby="login-title">
        <h1 id="login-title" className="auth-card__title" data-testid="login-title">
          {t('login.title')}
        </h1>
        <p className="muted">{t('login.subtitle')}</p>

        {notice && !error && (
          <Alert tone="info" testId="login-notice">
            {t(`login.${notice}`)}
          </Alert>
        )}
        {step === 'totp' && !error && <Alert tone="info">{t('login.totpRequired')}</Alert>}
        {error && (
          <Alert tone="error" testId="login-error" id="login-error">
            {error}
          </Alert>
        )}

        <form className="form" onSubmit={submit} noValidate data-testid="login-form">
          <TextField
            id="login-username"
            name="username"
            label={t('login.username')}
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            autoFocus
            required
            value={username}
            readOnly={step === 'totp'}
            invalid={errorField === 'username'}
            errorRef="login-error"
            onChange={(e) => setUsername(e.target.value)}
            data-testid="login-username"
          />
          <TextField
            id="login-password"
            name="password"
            type="password"
            label={t('login.password')}
            autoComplete="current-password"
            required
            ref={passwordRef}
            value={password}
            readOnly={step === 'totp'}
            invalid={errorField === 'password'}
            errorRef="login-error"
            onChange={(e) => setPassword(e.target.value)}
            data-testid="login-password"
          />
          {step === 'totp' && (
            <TextField
              id="login-totp"
              name="totp_code"
              label={t('login.totp')}
              hint={t('login.totpHint')}
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]{6}"
              maxLength={6}
              required
              ref={totpRef}
              value={totp}
              invalid={errorField === 'totp_code'}
            errorRef="login-error"
              onChange={(e) => setTotp(e.target.value.replace(/\D/g, '').slice(0, 6))}
              data-testid="login-totp"
            />
          )}
          <div className="form__actions">
            <button type="submit" className="btn btn--primary btn--block" disabled={busy} data-testid="login-submit">
              {busy ? t('login.submitting') : t('login.submit')}
            </button>
            {step === 'totp' && (
              <button type="button" className="btn btn--ghost btn--block" onClick={backToCredentials}>
                {t('login.back')}
              </button>
            )}
          </div>
        </form>
      </section>
    </div>
  );
}
