import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { RetryAlert } from '../../components/Alert';
import { DeadlineBadge, DossierStatus } from '../../components/Dossier';
import { TextField } from '../../components/Field';
import { useTitle } from '../../components/useTitle';
import { formatDateTime } from '../../format';
import { Link, navigate } from '../../router';
import type { DossierSummary } from '../../types';

export function workLink(code: string): string {
  return `/xu-ly/${encodeURIComponent(code)}`;
}

const LEGEND = ['on_time', 'due_soon', 'overdue', 'paused'] as const;

/** /xu-ly: the dossiers waiting for the official's role at their agency, the most urgent first. */
export function InboxPage() {
  const { t } = useTranslation();
  const { account } = useAuth();
  useTitle(t('inbox.title'));
  const [items, setItems] = useState<DossierSummary[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [agency, setAgency] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [moreBusy, setMoreBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const [openCode, setOpenCode] = useState('');
  const [openError, setOpenError] = useState<string | null>(null);
  const openRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let cancelled = false;
    setError(null);
    setItems(null);
    api
      .inbox()
      .then((r) => {
        if (cancelled) return;
        setItems(Array.isArray(r.items) ? r.items : []);
        setNext(r.next ?? null);
        setAgency(r.agency ?? '');
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const more = async () => {
    if (!next) return;
    setMoreBusy(true);
    try {
      const r = await api.inbox(next);
      setItems((cur) => [...(cur ?? []), ...(r.items ?? [])]);
      setNext(r.next ?? null);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setMoreBusy(false);
    }
  };

  const open = (e: FormEvent) => {
    e.preventDefault();
    const c = openCode.trim().toUpperCase();
    if (!c) {
      setOpenError(t('lookup.codeRequired'));
      openRef.current?.focus();
      return;
    }
    setOpenError(null);
    navigate(workLink(c));
  };

  if (!account) return null;
  const agencyName = items?.find((d) => d.receiving_agency.code === agency)?.receiving_agency.name ??
    items?.find((d) => d.current_agency.code === agency)?.current_agency.name;

  return (
    <div className="stack" data-testid="inbox-page">
      <h1 className="page-title">{t('inbox.title')}</h1>
      <p className="muted lead">{t(`inbox.intro.${account.role}`, { defaultValue: t('inbox.introOther') })}</p>
      <dl className="facts">
        <div className="facts__item">
          <dt>{t('home.role')}</dt>
          <dd>{t(`roles.${account.role}`)}</dd>
        </div>
        <div className="facts__item">
          <dt>{t('inbox.agency')}</dt>
          <dd data-testid="inbox-agency">
            {agencyName ? `${agencyName} (${agency || account.agency_code})` : (agency || account.agency_code || '—')}
          </dd>
        </div>
      </dl>

      <div className="inbox-tools">
        <form className="form form--registry inbox-open" onSubmit={open} noValidate data-testid="inbox-open-form">
          <TextField
            id="inbox-open-code"
            label={t('inbox.openByCode')}
            autoComplete="off"
            spellCheck={false}
            maxLength={60}
            ref={openRef}
            value={openCode}
            error={openError}
            onChange={(e) => setOpenCode(e.target.value)}
            data-testid="inbox-open-code"
          />
          <div className="form__actions form__actions--inline">
            <button type="submit" className="btn btn--secondary" data-testid="inbox-open-submit">
              {t('inbox.open')}
            </button>
          </div>
        </form>
        {account.role === 'one-stop-officer' && (
          <Link to="/xu-ly/tiep-nhan" className="btn btn--primary" data-testid="inbox-counter">
            {t('inbox.counter')}
          </Link>
        )}
      </div>

      <section className="card" aria-labelledby="inbox-list-title" aria-busy={!items && !error}>
        <div className="card__head">
          <h2 id="inbox-list-title" className="card__title">
            {t('inbox.listTitle')}
          </h2>
          <button type="button" className="btn btn--ghost btn--small" onClick={() => setAttempt((n) => n + 1)} data-testid="inbox-refresh">
            {t('inbox.refresh')}
          </button>
        </div>
        <ul className="legend" aria-label={t('inbox.legend')}>
          {LEGEND.map((k) => (
            <li key={k} className={`legend__item legend__item--${k}`}>
              {t(`dossier.deadlines.${k}`)}
            </li>
          ))}
        </ul>
        {error && <RetryAlert error={error} testId="inbox-error" onRetry={() => setAttempt((n) => n + 1)} />}
        {!items && !error && <p className="muted">{t('app.loading')}</p>}
        {items && items.length === 0 && <p data-testid="inbox-empty">{t('inbox.empty')}</p>}
        {items && items.length > 0 && (
          <>
            <p className="muted">{t('inbox.count', { count: items.length })}</p>
            <div className="table-wrap">
              <table className="table table--inbox" data-testid="inbox-table">
                <thead>
                  <tr>
                    <th scope="col">{t('dossier.code')}</th>
                    <th scope="col">{t('dossier.procedure')}</th>
                    <th scope="col">{t('dossier.applicant')}</th>
                    <th scope="col">{t('dossier.status')}</th>
                    <th scope="col">{t('inbox.colDue')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((d) => (
                    <tr
                      key={d.code}
                      className={`row--dl row--dl-${d.deadline || 'none'}`}
                      data-testid="inbox-row"
                      data-code={d.code}
                      data-deadline={d.deadline || 'none'}
                    >
                      <th scope="row">
                        <Link to={workLink(d.code)} className="nowrap" data-testid={`inbox-link-${d.code}`}>
                          {d.code}
                        </Link>
                        <span className="muted doc-note">
                          {t(d.received_at ? 'inbox.receivedOn' : 'inbox.submittedOn', {
                            at: formatDateTime(d.received_at ?? d.submitted_at),
                          })}
                        </span>
                      </th>
                      <td className="inbox-procedure">{d.procedure.name}</td>
                      <td>{d.applicant.name}</td>
                      <td>
                        <DossierStatus status={d.status} substate={d.substate} />
                      </td>
                      <td>
                        <span className="nowrap">{d.due_at ? formatDateTime(d.due_at) : '—'}</span>{' '}
                        <DeadlineBadge deadline={d.deadline} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {next && (
              <p className="pager">
                <button
                  type="button"
                  className="btn btn--secondary"
                  disabled={moreBusy}
                  onClick={() => void more()}
                  data-testid="inbox-more"
                >
                  {moreBusy ? t('app.loading') : t('inbox.more')}
                </button>
              </p>
            )}
          </>
        )}
      </section>
    </div>
  );
}
