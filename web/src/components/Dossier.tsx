// Building blocks of the dossier pages: status and deadline badges, the summary facts, the form
// values with their provenance, the components with their files, the result links, the timeline.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { apologyUrl, dossierFileUrl, receiptUrl, resultUrls } from '../api';
import { provenanceLabel, sourceLabel } from '../dossiers';
import { formatBytes, formatDate, formatDateTime, formatNumber } from '../format';
import type { Dossier, DossierSummary, FieldProvenance, ProcedureFormField, TimelineEvent } from '../types';

const STATUS_TONE: Record<number, string> = {
  1: 'info',
  2: 'info',
  3: 'bad',
  4: 'info',
  5: 'warn',
  6: 'warn',
  7: 'neutral',
  8: 'bad',
  9: 'ok',
  10: 'ok',
};

/** The national status (1–10) as a badge; the sub-state beside it when it says more. */
export function DossierStatus({
  status,
  substate,
  testId,
}: {
  status: { code: number; name: string };
  substate?: { code: string; name: string };
  testId?: string;
}) {
  const { t } = useTranslation();
  const sub =
    substate && substate.code && !['registered', 'received', 'processing', 'returned', 'processed'].includes(substate.code)
      ? t(`dossier.substates.${substate.code}`, { defaultValue: substate.name || substate.code })
      : null;
  return (
    <span className="badges" data-testid={testId} data-status={status.code}>
      <span className={`badge badge--st-${STATUS_TONE[status.code] ?? 'neutral'}`}>
        {t(`dossier.statuses.${status.code}`, { defaultValue: status.name })}
      </span>
      {sub && <span className="badge badge--other">{sub}</span>}
    </span>
  );
}

/** The deadline colour (on time, due soon, overdue, paused, late) as a badge: the text says it too. */
export function DeadlineBadge({ deadline, testId }: { deadline: string; testId?: string }) {
  const { t } = useTranslation();
  const key = deadline || 'none';
  return (
    <span className={`badge badge--dl-${key}`} data-testid={testId} data-deadline={key}>
      {t(`dossier.deadlines.${key}`, { defaultValue: deadline })}
    </span>
  );
}

/** "Lấy từ CSDL dân cư": a value the registries provided (with where and when, as a tooltip). */
export function ProvenanceBadge({ provenance, testId }: { provenance: FieldProvenance; testId?: string }) {
  const { t } = useTranslation();
  const label = provenanceLabel(t, provenance);
  const details = [
    provenance.origin ? t('provenance.origin', { origin: provenance.origin }) : '',
    provenance.at ? t('provenance.at', { at: formatDateTime(provenance.at) }) : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <span className="badge badge--provenance" data-testid={testId} title={details || undefined}>
      <span aria-hidden="true">✓ </span>
      {label}
    </span>
  );
}

/** The facts of a dossier: procedure, applicant, agencies, dates, deadline. */
export function DossierFacts({ d }: { d: DossierSummary & Partial<Pick<Dossier, 'competent_agency' | 'original_due_at'>> }) {
  const { t } = useTranslation();
  const rows: [string, ReactNode, string][] = [
    [t('dossier.procedure'), `${d.procedure.name} (${d.procedure.code})`, 'procedure'],
    [t('dossier.applicant'), d.applicant.id ? `${d.applicant.name} — ${d.applicant.id}` : d.applicant.name, 'applicant'],
    [t('dossier.channel'), t(`dossier.channels.${d.channel}`, { defaultValue: d.channel }), 'channel'],
    [t('dossier.receivingAgency'), d.receiving_agency.name || d.receiving_agency.code, 'receiving'],
  ];
  if (d.competent_agency && d.competent_agency.code)
    rows.push([t('dossier.competentAgency'), d.competent_agency.name || d.competent_agency.code, 'competent']);
  if (d.current_agency.code !== d.receiving_agency.code || d.status.code === 4)
    rows.push([t('dossier.currentAgency'), d.current_agency.name || d.current_agency.code, 'current']);
  rows.push([t('dossier.submittedAt'), formatDateTime(d.submitted_at), 'submitted']);
  if (d.received_at) rows.push([t('dossier.receivedAt'), formatDateTime(d.received_at), 'received']);
  rows.push([t('dossier.dueAt'), d.due_at ? formatDateTime(d.due_at) : t('dossier.noDueYet'), 'due']);
  if (d.original_due_at && d.original_due_at !== d.due_at)
    rows.push([t('dossier.originalDueAt'), formatDateTime(d.original_due_at), 'original-due']);
  if (d.returned_at) rows.push([t('dossier.returnedAt'), formatDateTime(d.returned_at), 'returned']);
  return (
    <dl className="details">
      {rows.map(([label, value, id]) => (
        <div className="details__row" key={id}>
          <dt>{label}</dt>
          <dd data-testid={`dossier-fact-${id}`}>{value}</dd>
        </div>
      ))}
      <div className="details__row">
        <dt>{t('dossier.deadline')}</dt>
        <dd>
          <DeadlineBadge deadline={d.deadline} testId="dossier-deadline" />
        </dd>
      </div>
    </dl>
  );
}

/** The form as submitted: each value with where it came from. */
export function FormValues({ d, fields }: { d: Dossier; fields?: ProcedureFormField[] }) {
  const { t } = useTranslation();
  const labels = new Map((fields ?? []).map((f) => [f.name, f.label]));
  const dates = new Set((fields ?? []).filter((f) => f.type === 'date').map((f) => f.name));
  const names = fields ? fields.map((f) => f.name).filter((n) => n in d.form) : Object.keys(d.form);
  for (const n of Object.keys(d.form)) if (!names.includes(n)) names.push(n);
  if (names.length === 0) return <p className="muted">{t('dossier.noForm')}</p>;
  return (
    <div className="table-wrap">
      <table className="table table--record" data-testid="dossier-form">
        <tbody>
          {names.map((n) => {
            const v = d.form[n];
            return (
              <tr key={n} data-testid={`dossier-form-${n}`}>
                <th scope="row">{labels.get(n) ?? n}</th>
                <td>{dates.has(n) ? formatDate(v.value) : v.value}</td>
                <td className="nowrap">
                  {v.source === 'applicant' ? (
                    <span className="muted">{t('provenance.applicant')}</span>
                  ) : (
                    <ProvenanceBadge provenance={v} />
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The components: how each was given, with a link to its file where there is one. */
export function ComponentList({ d }: { d: Dossier }) {
  const { t } = useTranslation();
  if (d.components.length === 0) return <p className="muted">{t('dossier.noComponents')}</p>;
  return (
    <div className="table-wrap">
      <table className="table table--components" data-testid="dossier-components">
        <thead>
          <tr>
            <th scope="col">{t('dossier.colComponent')}</th>
            <th scope="col">{t('dossier.colSource')}</th>
            <th scope="col">{t('dossier.colFile')}</th>
          </tr>
        </thead>
        <tbody>
          {d.components.map((c, i) => (
            <tr key={`${c.code}-${i}`} data-testid={`dossier-component-${c.code}`}>
              <th scope="row">
                <span className="component-code">{c.code}</span> {c.name}
                {c.supplement ? <span className="muted doc-note">{t('dossier.supplementNo', { n: c.supplement })}</span> : null}
              </th>
              <td>
                {sourceLabel(t, c.source)}
                {c.source === 'registry' && c.purpose && <span className="muted doc-note">{c.purpose}</span>}
              </td>
              <td className="nowrap">
                {c.sha256 ? (
                  <a
                    href={dossierFileUrl(d.code, c.sha256)}
                    target="_blank"
                    rel="noopener"
                    aria-label={t('dossier.openFileOf', { name: c.code })}
                  >
                    {c.file_name || t('dossier.openFile')}
                  </a>
                ) : (
                  '—'
                )}
                {c.size ? <span className="muted"> ({formatBytes(c.size)})</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Receipt, apology slip and result links (PDF, JSON, verification page). */
export function DossierDocuments({ d }: { d: Dossier }) {
  const { t } = useTranslation();
  const r = d.result;
  const urls = r ? resultUrls(d.code, r.signature) : null;
  return (
    <ul className="link-list" data-testid="dossier-documents">
      <li>
        <a href={receiptUrl(d.code)} target="_blank" rel="noopener" data-testid="dossier-receipt">
          {t('dossier.receipt')}
        </a>
      </li>
      {d.apology && (
        <li>
          <a href={apologyUrl(d.code)} target="_blank" rel="noopener" data-testid="dossier-apology">
            {t('dossier.apologySlip', { date: formatDateTime(d.apology.new_due) })}
          </a>
        </li>
      )}
      {r && urls && (
        <>
          <li>
            <a href={urls.pdf} target="_blank" rel="noopener" data-testid="dossier-result-pdf">
              {t('dossier.resultPdf', { name: r.name })}
            </a>
          </li>
          <li>
            <a href={urls.json} download={`ket-qua-${d.code}.json`} data-testid="dossier-result-json">
              {t('dossier.resultJson')}
            </a>
          </li>
          <li>
            <a href={urls.verify} data-testid="dossier-result-verify">
              {t('dossier.resultVerify')}
            </a>
          </li>
        </>
      )}
    </ul>
  );
}

/** Fees: what the procedure charges and what was paid. */
export function FeeSummary({ d }: { d: Dossier }) {
  const { t } = useTranslation();
  if (!d.fees || (d.fees.total === 0 && !d.fee_request)) return <p className="muted">{t('dossier.noFees')}</p>;
  return (
    <p data-testid="dossier-fees">
      {t('dossier.feesLine', { total: formatNumber(d.fees.total), paid: formatNumber(d.fees.paid) })}
    </p>
  );
}

/** What happened, oldest first. */
export function Timeline({ events, agencyNames }: { events: TimelineEvent[]; agencyNames: Record<string, string> }) {
  const { t } = useTranslation();
  return (
    <ol className="timeline" data-testid="dossier-timeline">
      {events.map((e, i) => (
        <li key={`${e.at}-${i}`} className="timeline__item" data-testid="dossier-event" data-action={e.action}>
          <p className="timeline__head">
            <strong>{t(`dossier.actions.${e.action}`, { defaultValue: e.action })}</strong>
            <span className="muted"> — {formatDateTime(e.at)}</span>
          </p>
          <p className="timeline__meta">
            {t(`dossier.statuses.${e.status}`, { defaultValue: e.status_name })}
            {e.by && (
              <>
                {' · '}
                {e.by}
                {e.role && <> ({t(`roles.${e.role}`, { defaultValue: e.role })})</>}
              </>
            )}
            {e.agency && <> · {agencyNames[e.agency] ?? e.agency}</>}
          </p>
          {e.note && <p className="timeline__note">{e.note}</p>}
        </li>
      ))}
    </ol>
  );
}

/** The names of the agencies a dossier names, by code (for the timeline). */
export function agencyNamesOf(d: Dossier): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of [d.receiving_agency, d.current_agency, d.competent_agency]) if (a?.code && a.name) out[a.code] = a.name;
  if (d.apology?.agency && d.apology.agency_name) out[d.apology.agency] = d.apology.agency_name;
  return out;
}
