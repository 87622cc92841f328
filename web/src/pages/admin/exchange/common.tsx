import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../../api';
import { STATE_TONE } from '../../../exchange';
import type { Account } from '../../../types';
import { Alert } from '../../../components/Alert';

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Runs `load` when a dependency changes (and on reload()); keeps the last data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setLoading(true);
    setError(null);
    load()
      .then((d) => {
        if (!cancelled) setData(d);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(errorMessage(e));
      })
      .finally(() => {
        if (!cancelled) setLoading(false);
      });
    return () => {
      cancelled = true;
    };
  }, [...deps, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** The member-system accounts (GET /api/v1/accounts?role=member-system), for the pickers. */
export function useMemberAccounts(): Loaded<Account[]> {
  return useLoad(async () => (await api.listAccounts({ role: 'member-system', limit: 500, offset: 0 })).items, []);
}

/** "hethong — Hệ thống một cửa điện tử (thử nghiệm)", or "#12" when the account is not in the list. */
export function accountLabel(accounts: readonly Account[] | null, id: number): string {
  const a = accounts?.find((x) => x.id === id);
  return a ? `${a.username} — ${a.display_name}` : `#${id}`;
}

/** A state in words with its colour (grants, keys, deliveries, systems, services). */
export function StateBadge({ state, group, testId }: { state: string; group: string; testId?: string }) {
  const { t } = useTranslation();
  const tone = STATE_TONE[state] ?? 'neutral';
  return (
    <span className={`badge badge--st-${tone}`} data-testid={testId} data-state={state}>
      {t(`exchange.${group}.states.${state}`, { defaultValue: state })}
    </span>
  );
}

/** A card with a title and an optional tool on the right of it. */
export function Card({
  id,
  title,
  tools,
  busy,
  testId,
  children,
}: {
  id: string;
  title: string;
  tools?: ReactNode;
  busy?: boolean;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <section className="card" aria-labelledby={id} aria-busy={busy || undefined} data-testid={testId}>
      <div className="card__head">
        <h2 id={id} className="card__title">
          {title}
        </h2>
        {tools}
      </div>
      {children}
    </section>
  );
}

/** A secret shown once (a new API key), with a copy button. */
export function SecretNotice({
  title,
  label,
  value,
  note,
  onDismiss,
  testId,
}: {
  title: string;
  label: string;
  value: string;
  note: string;
  onDismiss: () => void;
  testId?: string;
}) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const boxRef = useRef<HTMLElement>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    setCopied(false);
    boxRef.current?.focus();
  }, [value]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
    } catch {
      // Clipboard API unavailable (e.g. plain http): select so the user can copy.
      inputRef.current?.select();
    }
  };
  return (
    <section className="otp" ref={boxRef} tabIndex={-1} aria-labelledby="secret-title" role="status" data-testid={testId}>
      <h2 id="secret-title" className="otp__title">
        {title}
      </h2>
      <label htmlFor="secret-value" className="otp__label">
        {label}
      </label>
      <div className="otp__row">
        <input
          id="secret-value"
          ref={inputRef}
          className="input otp__value"
          readOnly
          value={value}
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
          data-testid={testId ? `${testId}-value` : undefined}
        />
        <button type="button" className="btn btn--secondary" onClick={() => void copy()}>
          {copied ? t('admin.copied') : t('admin.copy')}
        </button>
      </div>
      <p className="otp__note">{note}</p>
      <button type="button" className="btn btn--ghost btn--small" onClick={onDismiss}>
        {t('admin.dismiss')}
      </button>
    </section>
  );
}

/** An id or path that may wrap after each "/" (VN/GOV/000.00.00.H26/MOTCUA/service). */
export function Wbr({ text }: { text: string }) {
  const parts = text.split('/');
  return (
    <>
      {parts.map((p, i) => (
        <span key={i}>
          {p}
          {i < parts.length - 1 && (
            <>
              /<wbr />
            </>
          )}
        </span>
      ))}
    </>
  );
}

/** A per-row action (pause, redeliver, …): which row is busy, and the message or error it ended with. */
export function useRowAction() {
  const [busyId, setBusyId] = useState<number | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** Runs `work` for row `id`; its result is the success message; `after` runs either way. */
  const run = async (id: number, work: () => Promise<string>, after?: () => void) => {
    setBusyId(id);
    setMessage(null);
    setError(null);
    try {
      setMessage(await work());
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusyId(null);
      after?.();
    }
  };
  return { busyId, message, error, run };
}

/** The outcome of the last row action, above the list. */
export function ActionAlerts({ message, error }: { message: string | null; error: string | null }) {
  return (
    <>
      {message && (
        <Alert tone="success" testId="exchange-message">
          {message}
        </Alert>
      )}
      {error && (
        <Alert tone="error" testId="exchange-action-error">
          {error}
        </Alert>
      )}
    </>
  );
}
