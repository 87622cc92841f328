import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../api';
import { Alert } from '../../components/Alert';
import { DeadlineBadge, DossierStatus } from '../../components/Dossier';
import { TextField } from '../../components/Field';
import { useTitle } from '../../components/useTitle';
import { formatDateTime } from '../../format';
import { navigate, useLocation } from '../../router';
import type { PublicDossier } from '../../types';

/** Codes are upper case (000.21.04.H26-260213-0001); what is typed may not be. */
function normalise(code: string): string {
  return code.trim().toUpperCase();
}

/** /tra-cuu?ma=CODE: the public status of a dossier (no personal data), e.g. from the receipt's QR code. */
export function LookupPage() {
  const { t } = useTranslation();
  useTitle(t('lookup.title'));
  const { search } = useLocation();
  const code = normalise(search.get('ma') ?? '');
  const [draft, setDraft] = useState(code);
  const [result, setResult] = useState<PublicDossier | null>(null);
  const [problem, setProblem] = useState<{ tone: 'warning' | 'error'; text: string; testId: string } | null>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const inputRef = useRef<HTMLInputElement>(null);

  useEffect(() => setDraft(code), [code]);

  useEffect(() => {
    setResult(null);
    setProblem(null);
    if (!code) return undefined;
    let cancelled = false;
    setBusy(true);
    api
      .publicDossier(code)
      .then((r) => {
        if (!cancelled) setResult(r.dossier);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiError && e.status === 404)
          setProblem({ tone: 'warning', text: t('lookup.notFound', { code }), testId: 'lookup-not-found' });
        else setProblem({ tone: 'error', text: errorMessage(e), testId: 'lookup-error' });
      })
      .finally(() => {
        if (!cancelled) setBusy(false);
      });
    return () => {
      cancelled = true;
    };
    // t only words the problem.
  }, [code, attempt]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const c = normalise(draft);
    if (!c) {
      setFieldError(t('lookup.codeRequired'));
      inputRef.current?.focus();
      return;
    }
    setFieldError(null);
    const to = `/tra-cuu?${new URLSearchParams({ ma: c }).toString()}`;
    if (to === window.location.pathname + window.location.search) setAttempt((n) => n + 1);
    else navigate(to);
  };

  return (
    <div className="stack" data-testid="lookup-page">
      <h1 className="page-title">{t('lookup.title')}</h1>
      <p className="muted lead">{t('lookup.intro')}</p>
      <section className="card" aria-labelledby="lookup-form-title">
        <h2 id="lookup-form-title" className="card__title">
          {t('lookup.formTitle')}
        </h2>
        <form className="form form--registry" role="search" onSubmit={submit} noValidate data-testid="lookup-form">
          <TextField
            id="lookup-code"
            name="ma"
            label={t('lookup.code')}
            hint={t('lookup.codeHint')}
            autoComplete="off"
            spellCheck={false}
            maxLength={60}
            ref={inputRef}
            value={draft}
            error={fieldError}
            onChange={(e) => setDraft(e.target.value)}
            data-testid="lookup-code"
          />
          <div className="form__actions form__actions--inline">
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="lookup-submit">
              {busy ? t('lookup.searching') : t('lookup.search')}
            </button>
          </div>
        </form>
      </section>

      <div aria-live="polite">
        {problem && (
          <Alert tone={problem.tone} testId={problem.testId}>
            {problem.text}
          </Alert>
        )}
        {result && (
          <article className="card result" aria-labelledby="lookup-result-title" data-testid="lookup-result">
            <h2 id="lookup-result-title" className="card__title result__title">
              <span data-testid="lookup-result-code">{result.code}</span>
              <DossierStatus status={result.status} testId="lookup-status" />
            </h2>
            <dl className="details">
              <div className="details__row">
                <dt>{t('dossier.procedure')}</dt>
                <dd data-testid="lookup-procedure">{result.procedure}</dd>
              </div>
              <div className="details__row">
                <dt>{t('dossier.receivingAgency')}</dt>
                <dd>{result.receiving_agency}</dd>
              </div>
              <div className="details__row">
                <dt>{t('dossier.submittedAt')}</dt>
                <dd>{formatDateTime(result.submitted_at)}</dd>
              </div>
              {result.received_at && (
                <div className="details__row">
                  <dt>{t('dossier.receivedAt')}</dt>
                  <dd>{formatDateTime(result.received_at)}</dd>
                </div>
              )}
              <div className="details__row">
                <dt>{t('dossier.dueAt')}</dt>
                <dd>{result.due_at ? formatDateTime(result.due_at) : t('dossier.noDueYet')}</dd>
              </div>
              {result.returned_at && (
                <div className="details__row">
                  <dt>{t('dossier.returnedAt')}</dt>
                  <dd>{formatDateTime(result.returned_at)}</dd>
                </div>
              )}
              <div className="details__row">
                <dt>{t('dossier.deadline')}</dt>
                <dd>
                  <DeadlineBadge deadline={result.deadline} testId="lookup-deadline" />
                </dd>
              </div>
            </dl>
            {result.status.code === 10 && !result.rated && <p className="muted">{t('lookup.rateHint')}</p>}
            <p className="muted">{t('lookup.privacy')}</p>
          </article>
        )}
      </div>
    </div>
  );
}
