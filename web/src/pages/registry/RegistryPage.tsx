import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { Alert } from '../../components/Alert';
import { TextField } from '../../components/Field';
import { useTitle } from '../../components/useTitle';
import { useUnitNames } from '../../components/useUnitNames';
import { formatDate, formatDateTime } from '../../format';
import {
  changedFields,
  fieldLabel,
  formatValue,
  isUnitField,
  orderedFields,
  ruleKind,
  ruleText,
  splitRules,
} from '../../registry';
import { navigate, useLocation } from '../../router';
import {
  canReadPds,
  isRegistryName,
  ownerKindOf,
  type Purpose,
  type RegistryName,
  type RegistryRecord,
  type RegistryVersion,
} from '../../types';
import { PdsSection } from './PdsSection';
import { RegistrySelect } from './RegistrySelect';

interface Query {
  registry: RegistryName;
  key: string;
  asOf: string;
  purpose: string;
}

/** The lookup lives in the URL (/registry?registry=…&key=…&as_of=…&purpose=…): links and Back work. */
function queryOf(search: URLSearchParams): Query {
  const r = search.get('registry');
  return {
    registry: isRegistryName(r) ? r : 'citizens',
    key: (search.get('key') ?? '').trim(),
    asOf: search.get('as_of') ?? '',
    purpose: search.get('purpose') ?? '',
  };
}

export function registryLink(registry: string, key: string): string {
  return `/registry?${new URLSearchParams({ registry, key }).toString()}`;
}

/** A rule code as a badge, with its explanation beside it. */
export function RuleBadge({ rule, testId }: { rule: string; testId?: string }) {
  const { t } = useTranslation();
  const kind = ruleKind(rule) ?? 'other';
  return (
    <span className={`badge badge--rule badge--rule-${kind}`} data-testid={testId} title={ruleText(t, rule)}>
      {rule}
    </span>
  );
}

function Warnings({ rules }: { rules: string[] }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="registry-warnings-title">
      <h3 id="registry-warnings-title" className="result__subtitle">
        {t('registry.warnings')}
      </h3>
      {rules.length === 0 ? (
        <p className="muted" data-testid="registry-no-warnings">
          {t('registry.noWarnings')}
        </p>
      ) : (
        <ul className="rule-list" data-testid="registry-warnings">
          {rules.map((w) => (
            <li key={w} className="rule-list__item" data-testid={`registry-warning-${w}`}>
              <RuleBadge rule={w} />
              <span>{ruleText(t, w)}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Fields({ record, unitNames }: { record: RegistryRecord; unitNames: Record<string, string> }) {
  const { t } = useTranslation();
  const registry = isRegistryName(record.registry) ? record.registry : 'citizens';
  return (
    <section aria-labelledby="registry-fields-title">
      <h3 id="registry-fields-title" className="result__subtitle">
        {t('registry.fieldsTitle')}
      </h3>
      <p className="muted">{t('registry.provenanceHint')}</p>
      <div className="table-wrap">
        <table className="table table--record" data-testid="registry-fields">
          <thead>
            <tr>
              <th scope="col">{t('registry.colField')}</th>
              <th scope="col">{t('registry.colValue')}</th>
              <th scope="col">{t('registry.colSource')}</th>
              <th scope="col">{t('registry.colAt')}</th>
            </tr>
          </thead>
          <tbody>
            {orderedFields(registry, record.data).map((f) => {
              const raw = record.data[f] ?? '';
              const value = formatValue(t, f, raw, unitNames);
              const p = record.provenance?.[f];
              return (
                <tr key={f} data-testid={`registry-field-${f}`}>
                  <th scope="row">{fieldLabel(t, f)}</th>
                  <td data-testid={`registry-value-${f}`}>
                    {value ? value : <span className="muted">{t('registry.empty')}</span>}
                  </td>
                  <td data-testid={`registry-source-${f}`}>
                    {p ? <code>{p.source}</code> : <span className="muted">—</span>}
                  </td>
                  <td className="nowrap">{p ? formatDateTime(p.at) : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function History({ items, registry }: { items: RegistryVersion[] | null; registry: RegistryName }) {
  const { t } = useTranslation();
  // Newest first; each version is compared with the one before it.
  const rows = (items ?? [])
    .map((v, i, all) => ({
      v,
      prevDeleted: i > 0 && all[i - 1].deleted,
      changed: changedFields(i > 0 ? all[i - 1].data : null, v.data),
    }))
    .reverse();
  const what = (v: RegistryVersion, prevDeleted: boolean, changed: string[]): string => {
    if (v.deleted) return t('registry.versionDeleted');
    if (v.version === 1) return t('registry.versionCreated');
    const names = orderedFields(registry, Object.fromEntries(changed.map((f) => [f, ''])))
      .map((f) => fieldLabel(t, f))
      .join(', ');
    if (prevDeleted) return names ? `${t('registry.versionRestored')}: ${names}` : t('registry.versionRestored');
    return names || t('registry.versionUnchanged');
  };
  return (
    <section className="card" aria-labelledby="registry-history-title" data-testid="registry-history">
      <h2 id="registry-history-title" className="card__title">
        {t('registry.history')}
      </h2>
      {items === null ? (
        <p className="muted">{t('app.loading')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="registry-history-table">
            <thead>
              <tr>
                <th scope="col">{t('registry.colVersion')}</th>
                <th scope="col">{t('registry.colValidFrom')}</th>
                <th scope="col">{t('registry.colSource')}</th>
                <th scope="col">{t('registry.colActor')}</th>
                <th scope="col">{t('registry.colChanged')}</th>
                <th scope="col">{t('registry.warnings')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ v, prevDeleted, changed }) => (
                <tr key={v.version} data-testid={`registry-version-${v.version}`}>
                  <th scope="row">{v.version}</th>
                  <td className="nowrap">{formatDateTime(v.valid_from)}</td>
                  <td>
                    <code>{v.source}</code>
                  </td>
                  <td>
                    <code>{v.actor}</code>
                  </td>
                  <td data-testid={`registry-version-${v.version}-changed`}>{what(v, prevDeleted, changed)}</td>
                  <td>
                    {splitRules(v.warnings).length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      <span className="badges">
                        {splitRules(v.warnings).map((w) => (
                          <RuleBadge key={w} rule={w} />
                        ))}
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function RecordView({ record, query }: { record: RegistryRecord; query: Query }) {
  const { t } = useTranslation();
  const unitNames = useUnitNames(
    Object.entries(record.data)
      .filter(([f, v]) => v && isUnitField(f))
      .map(([, v]) => v),
  );
  const d = record.data;
  const title = d.full_name || d.name || record.key;
  return (
    <article className="card result" aria-labelledby="registry-record-title" data-testid="registry-record">
      <h2 id="registry-record-title" className="card__title result__title">
        <span data-testid="registry-record-title">{title}</span>{' '}
        <span className="badge badge--registry">{t(`registry.registries.${query.registry}`)}</span>
      </h2>
      <dl className="facts">
        <div className="facts__item">
          <dt>{t(`registry.keyLabels.${query.registry}`)}</dt>
          <dd data-testid="registry-record-key">{record.key}</dd>
        </div>
        <div className="facts__item">
          <dt>{t('registry.version')}</dt>
          <dd>{record.version}</dd>
        </div>
        <div className="facts__item">
          <dt>{query.asOf ? t('registry.validFrom') : t('registry.updatedAt')}</dt>
          <dd>{formatDateTime(record.updated_at)}</dd>
        </div>
        {!query.asOf && (
          <div className="facts__item">
            <dt>{t('registry.verifiedAt')}</dt>
            <dd>{formatDateTime(record.verified_at)}</dd>
          </div>
        )}
      </dl>
      {query.asOf && (
        <Alert tone="info" testId="registry-as-of-note">
          {t('registry.asOfNote', { date: formatDate(query.asOf) })}
        </Alert>
      )}
      <Warnings rules={Array.isArray(record.warnings) ? record.warnings : []} />
      <Fields record={record} unitNames={unitNames} />
    </article>
  );
}

export function RegistryPage() {
  const { t } = useTranslation();
  const { account } = useAuth();
  useTitle(t('registry.title'));
  const { search } = useLocation();
  const query = queryOf(search);
  const { registry, key, asOf, purpose } = query;

  const [draft, setDraft] = useState<Query>(query);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const [record, setRecord] = useState<RegistryRecord | null>(null);
  const [history, setHistory] = useState<RegistryVersion[] | null>(null);
  const [formError, setFormError] = useState<{ tone: 'error' | 'warning'; text: string; testId: string } | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ key?: string; as_of?: string }>({});
  const [purposes, setPurposes] = useState<Purpose[]>([]);
  const keyRef = useRef<HTMLInputElement>(null);

  // A new URL (a link, Back, a submitted lookup) fills the form again.
  useEffect(() => {
    setDraft({ registry, key, asOf, purpose });
  }, [registry, key, asOf, purpose]);

  useEffect(() => {
    let cancelled = false;
    api
      .purposes()
      .then((r) => {
        if (!cancelled) setPurposes(Array.isArray(r.items) ? r.items : []);
      })
      .catch(() => {
        // Only suggestions: the purpose stays free text.
      });
    return () => {
      cancelled = true;
    };
  }, []);

  // Every lookup is one read of the record (and one of its history), each in the access log.
  useEffect(() => {
    setRecord(null);
    setHistory(null);
    setFormError(null);
    setFieldErrors({});
    if (!key) return undefined;
    let cancelled = false;
    setBusy(true);
    (async () => {
      try {
        const r = await api.registryRecord(registry, key, {
          as_of: asOf || undefined,
          purpose: purpose.trim() || undefined,
        });
        if (cancelled) return;
        setRecord(r.record);
        try {
          const h = await api.registryHistory(registry, key);
          if (!cancelled) setHistory(Array.isArray(h.items) ? h.items : []);
        } catch (e) {
          if (!cancelled) setFormError({ tone: 'error', text: errorMessage(e), testId: 'registry-error' });
        }
      } catch (e) {
        if (cancelled) return;
        const status = e instanceof ApiError ? e.status : 0;
        if (status === 403) {
          setFormError({ tone: 'warning', text: t('registry.outOfScope'), testId: 'registry-forbidden' });
        } else if (status === 404) {
          setFormError({
            tone: 'warning',
            text: asOf
              ? t('registry.notFoundAsOf', { key, date: formatDate(asOf) })
              : t('registry.notFound', { key, registry: t(`registry.registries.${registry}`) }),
            testId: 'registry-not-found',
          });
        } else if (e instanceof ApiError && e.field === 'as_of') {
          setFieldErrors({ as_of: errorMessage(e) });
        } else {
          setFormError({ tone: 'error', text: errorMessage(e), testId: 'registry-error' });
        }
      } finally {
        if (!cancelled) setBusy(false);
      }
    })();
    return () => {
      cancelled = true;
    };
    // t is left out on purpose: switching the language must not read (and log) the record again.
  }, [registry, key, asOf, purpose, attempt]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const k = draft.key.trim();
    if (!k) {
      setFieldErrors({ key: t('registry.keyRequired') });
      keyRef.current?.focus();
      return;
    }
    const qs = new URLSearchParams({ registry: draft.registry, key: k });
    if (draft.asOf) qs.set('as_of', draft.asOf);
    if (draft.purpose.trim()) qs.set('purpose', draft.purpose.trim());
    const to = `/registry?${qs.toString()}`;
    if (to === window.location.pathname + window.location.search) setAttempt((n) => n + 1);
    else navigate(to);
  };

  // Citizens and enterprises have a personal data store; pds.read sees it (not leaders).
  const ownerKind = ownerKindOf(registry);
  const showStore = !!record && !!ownerKind && !record.deleted && canReadPds(account?.role);

  const suggestions = purposes.filter((p) => p.registry === draft.registry && p.status !== 'disabled');

  return (
    <div className="stack" data-testid="registry-page">
      <h1 className="page-title">{t('registry.title')}</h1>
      <p className="muted lead">{t('registry.intro')}</p>

      <section className="card" aria-labelledby="registry-form-title">
        <h2 id="registry-form-title" className="card__title">
          {t('registry.formTitle')}
        </h2>
        <Alert tone="info" testId="registry-logged-notice">
          <strong>{t('registry.loggedNotice')}</strong> {t('registry.loggedNoticeMore')}
        </Alert>
        <form className="form form--grid form--registry" onSubmit={submit} noValidate data-testid="registry-form">
          <RegistrySelect
            id="registry-registry"
            testId="registry-select"
            value={draft.registry}
            onChange={(registry) => setDraft({ ...draft, registry })}
          />
          <TextField
            id="registry-key"
            name="key"
            label={t(`registry.keyLabels.${draft.registry}`)}
            hint={t(`registry.keyHints.${draft.registry}`)}
            autoComplete="off"
            spellCheck={false}
            inputMode={draft.registry === 'citizens' ? 'numeric' : undefined}
            required
            ref={keyRef}
            value={draft.key}
            error={fieldErrors.key}
            onChange={(e) => setDraft({ ...draft, key: e.target.value })}
            data-testid="registry-key"
          />
          <TextField
            id="registry-as-of"
            name="as_of"
            type="date"
            label={t('registry.asOf')}
            hint={t('registry.asOfHint')}
            value={draft.asOf}
            error={fieldErrors.as_of}
            onChange={(e) => setDraft({ ...draft, asOf: e.target.value })}
            data-testid="registry-as-of"
          />
          <TextField
            id="registry-purpose"
            name="purpose"
            label={t('registry.purpose')}
            hint={t('registry.purposeHint')}
            autoComplete="off"
            list={suggestions.length ? 'registry-purposes' : undefined}
            maxLength={200}
            value={draft.purpose}
            onChange={(e) => setDraft({ ...draft, purpose: e.target.value })}
            data-testid="registry-purpose"
          />
          {suggestions.length > 0 && (
            <datalist id="registry-purposes">
              {suggestions.map((p) => (
                <option key={p.code} value={p.code}>
                  {p.name}
                </option>
              ))}
            </datalist>
          )}
          <div className="form__actions form__full">
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="registry-submit">
              {busy ? t('registry.submitting') : t('registry.submit')}
            </button>
          </div>
        </form>
      </section>

      <div aria-live="polite" aria-busy={busy} className="stack" data-testid="registry-live">
        {formError && (
          <Alert tone={formError.tone} testId={formError.testId}>
            {formError.text}
          </Alert>
        )}
        {record && <RecordView record={record} query={query} />}
        {showStore && record && ownerKind && (
          <PdsSection key={`${ownerKind}:${record.key}`} kind={ownerKind} ownerKey={record.key} purpose={purpose} />
        )}
        {record && <History items={history} registry={registry} />}
      </div>
    </div>
  );
}
