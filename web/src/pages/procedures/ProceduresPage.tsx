import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, errorMessage } from '../../api';
import { RetryAlert } from '../../components/Alert';
import { SelectField, TextField } from '../../components/Field';
import { useTitle } from '../../components/useTitle';
import { timeLimitText } from '../../dossiers';
import { formatNumber } from '../../format';
import { currentLanguage } from '../../i18n';
import { Link, navigate, useLocation } from '../../router';
import type { ProcedureField, ProcedureSummary } from '../../types';

interface Query {
  q: string;
  level: string;
  field: string;
}

function queryOf(search: URLSearchParams): Query {
  const level = search.get('level') ?? '';
  return {
    q: search.get('q') ?? '',
    level: level === 'commune' || level === 'province' ? level : '',
    field: search.get('field') ?? '',
  };
}

export function procedureLink(code: string): string {
  return `/thu-tuc/${encodeURIComponent(code)}`;
}

/** The name in the language shown (the Vietnamese name is the official one). */
export function procedureName(p: { name: string; name_en?: string }): string {
  return currentLanguage() === 'en' && p.name_en ? p.name_en : p.name;
}

export function OnlineBadge({ level }: { level: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge ${level === 'full' ? 'badge--granted' : 'badge--other'}`}>
      {t(`procedures.online.${level}`, { defaultValue: level })}
    </span>
  );
}

/** /thu-tuc: find a procedure (the search ignores diacritics), by level and field. */
export function ProceduresPage() {
  const { t } = useTranslation();
  useTitle(t('procedures.title'));
  const { search } = useLocation();
  const query = queryOf(search);
  const { q, level, field } = query;

  const [draft, setDraft] = useState<Query>(query);
  const [items, setItems] = useState<ProcedureSummary[] | null>(null);
  const [fields, setFields] = useState<ProcedureField[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    setDraft({ q, level, field });
  }, [q, level, field]);

  useEffect(() => {
    let cancelled = false;
    setError(null);
    setItems(null);
    api
      .procedures({ q: q.trim(), level, field })
      .then((r) => {
        if (cancelled) return;
        setItems(Array.isArray(r.items) ? r.items : []);
        if (Array.isArray(r.fields)) setFields(r.fields);
      })
      .catch((e: unknown) => {
        if (!cancelled) setError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [q, level, field, attempt]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const qs = new URLSearchParams();
    if (draft.q.trim()) qs.set('q', draft.q.trim());
    if (draft.level) qs.set('level', draft.level);
    if (draft.field) qs.set('field', draft.field);
    const s = qs.toString();
    const to = `/thu-tuc${s ? `?${s}` : ''}`;
    if (to === window.location.pathname + window.location.search) setAttempt((n) => n + 1);
    else navigate(to);
  };

  return (
    <div className="stack" data-testid="procedures-page">
      <h1 className="page-title">{t('procedures.title')}</h1>
      <p className="muted lead">{t('procedures.intro')}</p>

      <section className="card" aria-labelledby="procedures-search-title">
        <h2 id="procedures-search-title" className="card__title">
          {t('procedures.searchTitle')}
        </h2>
        <form className="form form--filters" role="search" onSubmit={submit} noValidate data-testid="procedures-form">
          <TextField
            id="procedures-q"
            name="q"
            type="search"
            label={t('procedures.q')}
            hint={t('procedures.qHint')}
            autoComplete="off"
            maxLength={200}
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
            data-testid="procedures-q"
          />
          <SelectField
            id="procedures-level"
            name="level"
            label={t('procedures.level')}
            value={draft.level}
            onChange={(e) => setDraft({ ...draft, level: e.target.value })}
            data-testid="procedures-level"
          >
            <option value="">{t('procedures.allLevels')}</option>
            <option value="commune">{t('procedures.levels.commune')}</option>
            <option value="province">{t('procedures.levels.province')}</option>
          </SelectField>
          <SelectField
            id="procedures-field"
            name="field"
            label={t('procedures.field')}
            value={draft.field}
            onChange={(e) => setDraft({ ...draft, field: e.target.value })}
            data-testid="procedures-field"
          >
            <option value="">{t('procedures.allFields')}</option>
            {fields.map((f) => (
              <option key={f.code} value={f.code}>
                {f.name}
              </option>
            ))}
          </SelectField>
          <div className="form__actions form__actions--inline">
            <button type="submit" className="btn btn--primary" data-testid="procedures-submit">
              {t('procedures.search')}
            </button>
          </div>
        </form>
      </section>

      <section className="card" aria-labelledby="procedures-list-title" aria-busy={!items && !error}>
        <h2 id="procedures-list-title" className="card__title">
          {t('procedures.listTitle')}
        </h2>
        {error && <RetryAlert error={error} testId="procedures-error" onRetry={() => setAttempt((n) => n + 1)} />}
        {!items && !error && <p className="muted">{t('app.loading')}</p>}
        {items && (
          <p className="muted" role="status" data-testid="procedures-count">
            {items.length === 0 ? t('procedures.none') : t('procedures.count', { count: items.length })}
          </p>
        )}
        {items && items.length > 0 && (
          <div className="table-wrap">
            <table className="table table--procedures" data-testid="procedures-table">
              <thead>
                <tr>
                  <th scope="col">{t('procedures.colCode')}</th>
                  <th scope="col">{t('procedures.colName')}</th>
                  <th scope="col">{t('procedures.colField')}</th>
                  <th scope="col">{t('procedures.colLevel')}</th>
                  <th scope="col">{t('procedures.colTime')}</th>
                  <th scope="col" className="num">
                    {t('procedures.colFees')}
                  </th>
                  <th scope="col">{t('procedures.colOnline')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((p) => (
                  <tr key={p.code} data-testid={`procedure-row-${p.code}`}>
                    <td className="nowrap">
                      <code>{p.code}</code>
                    </td>
                    <th scope="row" className="procedure-name">
                      <Link to={procedureLink(p.code)} data-testid={`procedure-link-${p.code}`}>
                        {procedureName(p)}
                      </Link>
                    </th>
                    <td>{p.field_name}</td>
                    <td className="nowrap">{t(`procedures.levels.${p.level}`, { defaultValue: p.level })}</td>
                    <td className="nowrap">{timeLimitText(t, p.time_limit)}</td>
                    <td className="num">{t('procedures.vnd', { amount: formatNumber(p.fees_total) })}</td>
                    <td>
                      <OnlineBadge level={p.online_level} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
