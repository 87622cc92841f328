import type { ReactNode } from 'react';

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
