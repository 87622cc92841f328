import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../api';
import { Alert } from '../components/Alert';
import { TextField } from '../components/Field';
import { useTitle } from '../components/useTitle';
import { formatPercent } from '../format';
import type { ConversionResult, UnitMatch } from '../types';

const LEVELS = ['province', 'district', 'commune'] as const;

/** The status as a coloured badge (the text carries the meaning, not the colour). */
export function StatusBadge({ status, testId }: { status: string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <span className={`badge badge--${status}`} data-testid={testId}>
      {t(`convert.status.${status}`, { defaultValue: status })}
    </span>
  );
}

function NewAddress({ address }: { address: string }) {
  const { t } = useTranslation();
  const [note, setNote] = useState<'copied' | 'selected' | null>(null);
  const textRef = useRef<HTMLParagraphElement>(null);

  const selectText = () => {
    const el = textRef.current;
    const sel = window.getSelection();
    if (!el || !sel) return;
    const range = document.createRange();
    range.selectNodeContents(el);
    sel.removeAllRanges();
    sel.addRange(range);
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(address);
      setNote('copied');
    } catch {
      // No clipboard access (e.g. plain http): select the text so the user can copy it.
      selectText();
      setNote('selected');
    }
  };

  return (
    <div className="result-address">
      <h3 className="result-address__label">{t('convert.newAddress')}</h3>
      <p className="result-address__value" ref={textRef} data-testid="convert-new-address">
        {address}
      </p>
      <div className="result-address__tools">
        <button type="button" className="btn btn--secondary btn--small" onClick={() => void copy()} data-testid="convert-copy">
          {note === 'copied' ? t('convert.copied') : t('convert.copy')}
        </button>
        {note === 'selected' && <span className="muted">{t('convert.selected')}</span>}
      </div>
    </div>
  );
}

function MatchTable({ matched }: { matched: ConversionResult['matched'] | undefined }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="convert-matched-title">
      <h3 id="convert-matched-title" className="result__subtitle">
        {t('convert.recognised')}
      </h3>
      <div className="table-wrap">
        <table className="table" data-testid="convert-matched">
          <thead>
            <tr>
              <th scope="col">{t('convert.colLevel')}</th>
              <th scope="col">{t('convert.colName')}</th>
              <th scope="col">{t('convert.colCode')}</th>
              <th scope="col">{t('convert.colHow')}</th>
            </tr>
          </thead>
          <tbody>
            {LEVELS.map((level) => {
              const m: UnitMatch | null | undefined = matched?.[level];
              return (
                <tr key={level} data-testid={`convert-matched-${level}`}>
                  <th scope="row">{t(`convert.levels.${level}`)}</th>
                  {m ? (
                    <>
                      <td>{m.name}</td>
                      <td>
                        <code>{m.code}</code>
                      </td>
                      <td>{t(`convert.how.${m.how}`, { defaultValue: m.how })}</td>
                    </>
                  ) : (
                    <td colSpan={3} className="muted">
                      {t('convert.notRecognised')}
                    </td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Result({ r }: { r: ConversionResult }) {
  const { t } = useTranslation();
  const withCode = (name: string | null, code: string | null) =>
    name && code ? t('convert.withCode', { name, code }) : (name ?? code ?? '—');
  const candidates = Array.isArray(r.candidates) ? r.candidates : [];

  return (
    <article className={`card result result--${r.status}`} aria-labelledby="convert-result-title" data-testid="convert-result">
      <h2 id="convert-result-title" className="card__title result__title">
        <span>{t('convert.resultTitle')}</span>{' '}
        <span className="visually-hidden">{t('convert.statusLabel')}: </span>
        <StatusBadge status={r.status} testId="convert-status" />
      </h2>

      {r.new_address && <NewAddress address={r.new_address} />}

      <dl className="details">
        {(r.new_commune_name || r.new_commune_code) && (
          <div className="details__row">
            <dt>{t('convert.newCommune')}</dt>
            <dd data-testid="convert-new-commune">{withCode(r.new_commune_name, r.new_commune_code)}</dd>
          </div>
        )}
        {(r.new_province_name || r.new_province_code) && (
          <div className="details__row">
            <dt>{t('convert.newProvince')}</dt>
            <dd data-testid="convert-new-province">{withCode(r.new_province_name, r.new_province_code)}</dd>
          </div>
        )}
        <div className="details__row">
          <dt>{t('convert.confidence')}</dt>
          <dd data-testid="convert-confidence">{formatPercent(r.confidence)}</dd>
        </div>
        {r.street && (
          <div className="details__row">
            <dt>{t('convert.street')}</dt>
            <dd data-testid="convert-street">{r.street}</dd>
          </div>
        )}
        <div className="details__row">
          <dt>{t('convert.input')}</dt>
          <dd>{r.input}</dd>
        </div>
        {r.reason && (
          <div className="details__row">
            <dt>{t('convert.reason')}</dt>
            <dd data-testid="convert-reason">{r.reason}</dd>
          </div>
        )}
      </dl>

      {r.status === 'ambiguous' && candidates.length > 0 && (
        <section aria-labelledby="convert-candidates-title">
          <h3 id="convert-candidates-title" className="result__subtitle">
            {t('convert.candidates')}
          </h3>
          <p className="muted">{t('convert.candidatesHint')}</p>
          <ul className="candidates" data-testid="convert-candidates">
            {candidates.map((c) => (
              <li key={c.code} className="candidates__item" data-testid={`convert-candidate-${c.code}`}>
                <span className="candidates__name">{c.name}</span> <code className="candidates__code">{c.code}</code>
              </li>
            ))}
          </ul>
        </section>
      )}

      <MatchTable matched={r.matched} />
    </article>
  );
}

export function ConvertPage() {
  const { t } = useTranslation();
  useTitle(t('convert.title'));

  const [address, setAddress] = useState('');
  const [asOf, setAsOf] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ConversionResult | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ address?: string; as_of?: string }>({});
  const addressRef = useRef<HTMLInputElement>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const text = address.trim();
    if (!text) {
      setFieldErrors({ address: t('convert.required') });
      setResult(null);
      addressRef.current?.focus();
      return;
    }
    setFieldErrors({});
    setBusy(true);
    try {
      const r = await api.convertAddress(asOf ? { address: text, as_of: asOf } : { address: text });
      setResult(r.result);
    } catch (err) {
      setResult(null);
      const field = err instanceof ApiError ? err.field : null;
      if (field === 'address' || field === 'as_of') setFieldErrors({ [field]: errorMessage(err) });
      else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack" data-testid="convert-page">
      <h1 className="page-title">{t('convert.title')}</h1>
      <p className="muted lead">{t('convert.intro')}</p>

      <section className="card" aria-labelledby="convert-form-title">
        <h2 id="convert-form-title" className="card__title">
          {t('convert.formTitle')}
        </h2>
        {formError && (
          <Alert tone="error" testId="convert-error">
            {formError}
          </Alert>
        )}
        <form className="form form--convert" onSubmit={submit} noValidate data-testid="convert-form">
          <TextField
            id="convert-address"
            name="address"
            label={t('convert.address')}
            hint={t('convert.addressHint')}
            placeholder={t('convert.placeholder')}
            autoComplete="street-address"
            spellCheck={false}
            required
            ref={addressRef}
            value={address}
            error={fieldErrors.address}
            onChange={(e) => setAddress(e.target.value)}
            data-testid="convert-address"
          />
          <TextField
            id="convert-as-of"
            name="as_of"
            type="date"
            label={t('convert.asOf')}
            hint={t('convert.asOfHint')}
            value={asOf}
            error={fieldErrors.as_of}
            onChange={(e) => setAsOf(e.target.value)}
            data-testid="convert-as-of"
          />
          <div className="form__actions">
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="convert-submit">
              {busy ? t('convert.submitting') : t('convert.submit')}
            </button>
          </div>
        </form>
      </section>

      <div aria-live="polite" aria-busy={busy} data-testid="convert-live">
        {result && <Result r={result} />}
      </div>
    </div>
  );
}
