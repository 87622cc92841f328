import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage, qualityCsvUrl } from '../../api';
import { useAuth } from '../../auth';
import { Alert } from '../../components/Alert';
import { TextField } from '../../components/Field';
import { useTitle } from '../../components/useTitle';
import { useUnitNames } from '../../components/useUnitNames';
import { formatNumber, formatPercent } from '../../format';
import { ruleKind, ruleText } from '../../registry';
import { Link, navigate, useLocation } from '../../router';
import { isRegistryName, type QualityRecords, type QualityReport, type RegistryName } from '../../types';
import { registryLink, RuleBadge } from './RegistryPage';
import { RegistrySelect } from './RegistrySelect';

/** At most this many keys come back from the drill-down. */
const DRILL_LIMIT = 1000;

interface Query {
  registry: RegistryName;
  unit: string;
  rule: string;
}

/** /registry/quality?registry=…&unit=…&rule=… (rule: the drill-down shown). */
function queryOf(search: URLSearchParams): Query {
  const r = search.get('registry');
  return {
    registry: isRegistryName(r) ? r : 'citizens',
    unit: (search.get('unit') ?? '').trim(),
    rule: (search.get('rule') ?? '').trim(),
  };
}

function hrefOf(q: Query): string {
  const qs = new URLSearchParams({ registry: q.registry });
  if (q.unit) qs.set('unit', q.unit);
  if (q.rule) qs.set('rule', q.rule);
  return `/registry/quality?${qs.toString()}`;
}

function KindBadge({ rule }: { rule: string }) {
  const { t } = useTranslation();
  const kind = ruleKind(rule);
  if (!kind) return <span className="muted">—</span>;
  return <span className={`badge badge--kind badge--rule-${kind}`}>{t(`ruleKinds.${kind}`)}</span>;
}

function DrillDown({ query }: { query: Query }) {
  const { t } = useTranslation();
  const { registry, unit, rule } = query;
  const [data, setData] = useState<QualityRecords | null>(null);
  const [error, setError] = useState<string | null>(null);
  const titleRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let cancelled = false;
    setData(null);
    setError(null);
    api
      .qualityRecords(registry, rule, unit)
      .then((r) => {
        if (cancelled) return;
        setData({ ...r, keys: Array.isArray(r.keys) ? r.keys : [] });
        titleRef.current?.focus();
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [registry, unit, rule]);

  return (
    <section className="card" aria-labelledby="quality-drill-title" data-testid="quality-drill">
      <h2 id="quality-drill-title" className="card__title result__title" tabIndex={-1} ref={titleRef}>
        <span>{t('quality.drillTitle')}</span> <RuleBadge rule={rule} />
      </h2>
      <p className="muted">{ruleText(t, rule)}</p>
      {error && <Alert tone="error">{error}</Alert>}
      {!data && !error && <p className="muted">{t('app.loading')}</p>}
      {data && data.keys.length === 0 && <p data-testid="quality-drill-empty">{t('quality.drillEmpty')}</p>}
      {data && data.keys.length > 0 && (
        <>
          <p>
            {data.keys.length >= DRILL_LIMIT
              ? t('quality.drillLimited', { count: DRILL_LIMIT, limit: formatNumber(DRILL_LIMIT) })
              : t('quality.drillCount', { count: data.keys.length, n: formatNumber(data.keys.length) })}
          </p>
          <ul className="key-list" data-testid="quality-drill-keys">
            {data.keys.map((k) => (
              <li key={k}>
                <Link to={registryLink(registry, k)} data-testid={`quality-key-${k}`}>
                  <code>{k}</code>
                </Link>
              </li>
            ))}
          </ul>
        </>
      )}
      <p>
        <Link
          to={hrefOf({ ...query, rule: '' })}
          className="btn btn--ghost btn--small"
          data-testid="quality-drill-close"
        >
          {t('quality.drillClose')}
        </Link>
      </p>
    </section>
  );
}

export function QualityPage() {
  const { t } = useTranslation();
  const { account } = useAuth();
  useTitle(t('quality.title'));
  const { search } = useLocation();
  const query = queryOf(search);
  const { registry, unit, rule } = query;

  const [draft, setDraft] = useState({ registry, unit });
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<QualityReport | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [unitError, setUnitError] = useState<string | null>(null);
  const unitNames = useUnitNames(report?.unit ? [report.unit] : []);

  useEffect(() => {
    setDraft({ registry, unit });
  }, [registry, unit]);

  useEffect(() => {
    let cancelled = false;
    setBusy(true);
    setFormError(null);
    setUnitError(null);
    setReport(null);
    api
      .quality(registry, unit)
      .then((r) => {
        if (!cancelled) setReport({ ...r, rules: Array.isArray(r.rules) ? r.rules : [] });
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiError && e.status === 403) setUnitError(t('quality.outOfScope'));
        else if (e instanceof ApiError && e.field === 'unit') setUnitError(errorMessage(e));
        else setFormError(errorMessage(e));
      })
      .finally(() => {
        if (!cancelled) setBusy(false);
      });
    return () => {
      cancelled = true;
    };
    // t only words an error: switching the language does not reload the report.
  }, [registry, unit, attempt]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const to = hrefOf({ registry: draft.registry, unit: draft.unit.trim(), rule: '' });
    if (to === window.location.pathname + window.location.search) setAttempt((n) => n + 1);
    else navigate(to);
  };

  const unitLabel = (code: string) =>
    code
      ? unitNames[code]
        ? t('registry.unitWithCode', { name: unitNames[code], code })
        : code
      : t('quality.allUnits');

  return (
    <div className="stack" data-testid="quality-page">
      <h1 className="page-title">{t('quality.title')}</h1>
      <p className="muted lead">{t('quality.intro')}</p>

      <section className="card" aria-labelledby="quality-form-title">
        <h2 id="quality-form-title" className="card__title">
          {t('quality.formTitle')}
        </h2>
        {formError && (
          <Alert tone="error" testId="quality-error">
            {formError}
          </Alert>
        )}
        <form className="form form--filters form--quality" onSubmit={submit} noValidate data-testid="quality-form">
          <RegistrySelect
            id="quality-registry"
            testId="quality-registry"
            value={draft.registry}
            onChange={(registry) => setDraft({ ...draft, registry })}
          />
          <TextField
            id="quality-unit"
            name="unit"
            label={t('quality.unit')}
            hint={account?.role === 'system-admin' ? t('quality.unitHintAll') : t('quality.unitHint')}
            inputMode="numeric"
            autoComplete="off"
            maxLength={5}
            value={draft.unit}
            error={unitError}
            onChange={(e) => setDraft({ ...draft, unit: e.target.value })}
            data-testid="quality-unit"
          />
          <div className="form__actions form__actions--inline">
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="quality-submit">
              {busy ? t('quality.submitting') : t('quality.submit')}
            </button>
          </div>
        </form>
      </section>

      <div aria-live="polite" aria-busy={busy} className="stack">
        {report && (
          <section className="card" aria-labelledby="quality-report-title" data-testid="quality-report">
            <h2 id="quality-report-title" className="card__title">
              {t('quality.reportTitle', { registry: t(`registry.registries.${registry}`) })}
            </h2>
            <dl className="facts">
              <div className="facts__item">
                <dt>{t('quality.unitReported')}</dt>
                <dd data-testid="quality-unit-name">{unitLabel(report.unit)}</dd>
              </div>
              <div className="facts__item">
                <dt>{t('quality.total')}</dt>
                <dd data-testid="quality-total">{formatNumber(report.total)}</dd>
              </div>
            </dl>
            <p className="muted quality__hint">{t('quality.kindsHint')}</p>
            {report.rules.length === 0 ? (
              <p data-testid="quality-empty">{t('quality.empty')}</p>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="quality-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('quality.colRule')}</th>
                      <th scope="col">{t('quality.colKind')}</th>
                      <th scope="col" className="num">
                        {t('quality.colCount')}
                      </th>
                      <th scope="col" className="num">
                        {t('quality.colRate')}
                      </th>
                      <th scope="col">
                        <span className="visually-hidden">{t('quality.colActions')}</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {report.rules.map((r) => (
                      <tr
                        key={r.rule}
                        data-testid={`quality-rule-${r.rule}`}
                        className={r.rule === rule ? 'is-selected' : undefined}
                      >
                        <th scope="row">
                          <code className="rule-code">{r.rule}</code>
                          <span className="rule-desc">{ruleText(t, r.rule, report.stale_days)}</span>
                        </th>
                        <td>
                          <KindBadge rule={r.rule} />
                        </td>
                        <td className="num" data-testid={`quality-count-${r.rule}`}>
                          {formatNumber(r.count)}
                        </td>
                        <td className="num" data-testid={`quality-rate-${r.rule}`}>
                          {formatPercent(r.rate, 1)}
                        </td>
                        <td className="table__actions">
                          {r.count > 0 ? (
                            <Link
                              to={hrefOf({ ...query, rule: r.rule })}
                              className="btn btn--secondary btn--small"
                              aria-current={r.rule === rule ? 'true' : undefined}
                              data-testid={`quality-open-${r.rule}`}
                            >
                              {t('quality.open')}
                              <span className="visually-hidden">: {r.rule}</span>
                            </Link>
                          ) : (
                            <span className="muted">—</span>
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <p className="quality__csv">
              <a
                className="btn btn--ghost btn--small"
                href={qualityCsvUrl(registry, unit)}
                download={`quality-${registry}${report.unit ? `-${report.unit}` : ''}.csv`}
                data-testid="quality-csv"
              >
                {t('quality.csv')}
              </a>
            </p>
          </section>
        )}
        {report && rule && <DrillDown key={`${registry}|${unit}|${rule}`} query={query} />}
      </div>
    </div>
  );
}
