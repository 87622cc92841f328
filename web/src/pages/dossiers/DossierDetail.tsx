import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../api';
import { Alert, RetryAlert } from '../../components/Alert';
import {
  agencyNamesOf,
  ComponentList,
  DossierDocuments,
  DossierFacts,
  DossierStatus,
  FeeSummary,
  FormValues,
  Timeline,
} from '../../components/Dossier';
import { formatDateTime, formatNumber } from '../../format';
import type { Dossier, Procedure } from '../../types';

/** Loads a dossier (and its procedure, for the form's labels); reload() after an action. */
export function useDossier(code: string): {
  dossier: Dossier | null;
  procedure: Procedure | null;
  error: string | null;
  notFound: boolean;
  reload: () => void;
  replace: (d: Dossier) => void;
} {
  const [dossier, setDossier] = useState<Dossier | null>(null);
  const [procedure, setProcedure] = useState<Procedure | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    setError(null);
    setNotFound(false);
    api
      .dossier(code)
      .then((r) => {
        if (cancelled) return;
        setDossier(r.dossier);
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiError && e.status === 404) setNotFound(true);
        else setError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [code, attempt]);

  const procCode = dossier?.procedure.code ?? '';
  useEffect(() => {
    if (!procCode) return undefined;
    let cancelled = false;
    api
      .procedure(procCode)
      .then((r) => {
        if (!cancelled) setProcedure(r.procedure);
      })
      .catch(() => {
        // Only labels: the field names are shown instead.
      });
    return () => {
      cancelled = true;
    };
  }, [procCode]);

  return {
    dossier,
    procedure,
    error,
    notFound,
    reload: () => setAttempt((n) => n + 1),
    replace: setDossier,
  };
}

/** The whole dossier: facts, documents, supplement and fee requests, form, components, timeline. */
export function DossierDetail({
  code,
  backLink,
  actions,
}: {
  code: string;
  backLink: ReactNode;
  /** The actions panel for the viewer (receives the dossier and a way to replace it after an action). */
  actions: (d: Dossier, replace: (d: Dossier) => void) => ReactNode;
}) {
  const { t } = useTranslation();
  const { dossier: d, procedure, error, notFound, reload, replace } = useDossier(code);
  const titleRef = useRef<HTMLHeadingElement>(null);

  if (notFound)
    return (
      <div className="stack">
        {backLink}
        <Alert tone="warning" testId="dossier-not-found">
          {t('dossier.notFound', { code })}
        </Alert>
      </div>
    );
  if (error) return <RetryAlert error={error} testId="dossier-error" onRetry={reload} />;
  if (!d) return <p className="muted">{t('app.loading')}</p>;

  return (
    <div className="stack" data-testid="dossier-page">
      {backLink}
      <section className="card hero" aria-labelledby="dossier-title">
        <h1 id="dossier-title" className="page-title dossier-title" tabIndex={-1} ref={titleRef}>
          <span className="visually-hidden">{t('dossier.code')}: </span>
          <span data-testid="dossier-code">{d.code}</span>
        </h1>
        <p className="dossier-status-line">
          <span className="visually-hidden">{t('dossier.status')}: </span>
          <DossierStatus status={d.status} substate={d.substate} testId="dossier-status" />
        </p>
        <p className="muted">{d.summary}</p>
        <DossierFacts d={d} />
        <h2 className="result__subtitle section-gap">{t('dossier.documentsTitle')}</h2>
        <DossierDocuments d={d} />
      </section>

      {d.supplement_request && d.status.code === 5 && (
        <Alert tone="warning" testId="dossier-supplement-request">
          <strong>{t('dossier.supplementRequested', { by: d.supplement_request.by, at: formatDateTime(d.supplement_request.at) })}</strong>{' '}
          {d.supplement_request.reason}
          {d.supplement_request.items.length > 0 && (
            <ul>
              {d.supplement_request.items.map((i) => (
                <li key={i}>{i}</li>
              ))}
            </ul>
          )}
        </Alert>
      )}
      {d.fee_request && d.status.code === 6 && (
        <Alert tone="warning" testId="dossier-fee-request">
          {t('dossier.feeRequested', { amount: formatNumber(d.fee_request.amount) })} {d.fee_request.reason}
        </Alert>
      )}
      {d.apology && (
        <Alert tone="info" testId="dossier-apology-note">
          {t('dossier.apologyNote', { date: formatDateTime(d.apology.new_due) })} {d.apology.reason}
        </Alert>
      )}

      {actions(d, (next) => {
        replace(next);
        titleRef.current?.focus();
      })}

      <section className="card" aria-labelledby="dossier-form-title">
        <h2 id="dossier-form-title" className="card__title">
          {t('dossier.formTitle')}
        </h2>
        <FormValues d={d} fields={procedure?.form_fields} />
      </section>

      <section className="card" aria-labelledby="dossier-components-title">
        <h2 id="dossier-components-title" className="card__title">
          {t('dossier.componentsTitle')}
        </h2>
        <ComponentList d={d} />
        <h3 className="result__subtitle section-gap">{t('dossier.feesTitle')}</h3>
        <FeeSummary d={d} />
      </section>

      <section className="card" aria-labelledby="dossier-timeline-title">
        <h2 id="dossier-timeline-title" className="card__title">
          {t('dossier.timelineTitle')}
        </h2>
        <Timeline events={d.timeline} agencyNames={agencyNamesOf(d)} />
      </section>
    </div>
  );
}
