import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

type Tone = 'error' | 'success' | 'info' | 'warning';

export function Alert({ tone, children, testId, id }: { tone: Tone; children: ReactNode; testId?: string; id?: string }) {
  // Errors and warnings interrupt (role=alert); the others are polite.
  const role = tone === 'error' || tone === 'warning' ? 'alert' : 'status';
  return (
    <div className={`alert alert--${tone}`} role={role} data-testid={testId} id={id}>
      {children}
    </div>
  );
}

/** A load error with a "try again" button. */
export function RetryAlert({ error, testId, onRetry }: { error: string; testId?: string; onRetry: () => void }) {
  const { t } = useTranslation();
  return (
    <Alert tone="error" testId={testId}>
      {error}{' '}
      <button type="button" className="btn btn--ghost btn--small" onClick={onRetry}>
        {t('errors.retry')}
      </button>
    </Alert>
  );
}
