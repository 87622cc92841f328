import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface Otp {
  username: string;
  password: string;
}

/** Shows a freshly issued one-time password once, with a copy button. */
export function OtpNotice({ otp, onDismiss }: { otp: Otp; onDismiss: () => void }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const boxRef = useRef<HTMLElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setCopied(false);
    boxRef.current?.focus();
  }, [otp]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(otp.password);
      setCopied(true);
    } catch {
      // Clipboard API unavailable (e.g. plain http): select so the user can copy.
      inputRef.current?.select();
    }
  };

  return (
    <section
      className="otp"
      ref={boxRef}
      tabIndex={-1}
      aria-labelledby="otp-title"
      role="status"
      data-testid="otp-notice"
    >
      <h2 id="otp-title" className="otp__title">
        {t('admin.otpTitle')}
      </h2>
      <label htmlFor="otp-value" className="otp__label">
        {t('admin.otpFor', { username: otp.username })}
      </label>
      <div className="otp__row">
        <input
          id="otp-value"
          ref={inputRef}
          className="input otp__value"
          readOnly
          value={otp.password}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
          data-testid="otp-value"
        />
        <button type="button" className="btn btn--secondary" onClick={() => void copy()}>
          {copied ? t('admin.copied') : t('admin.copy')}
        </button>
      </div>
      <p className="otp__note">{t('admin.otpNote')}</p>
      <button type="button" className="btn btn--ghost btn--small" onClick={onDismiss}>
        {t('admin.dismiss')}
      </button>
    </section>
  );
}
