import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../api';
import { Alert } from '../components/Alert';
import { SelectField, TextField } from '../components/Field';
import { useTitle } from '../components/useTitle';
import { convertedFileName, defaultAddressColumn, MAX_CSV_BYTES, readCsvHeader } from '../csv';
import { formatBytes, formatNumber } from '../format';
import { CONVERSION_STATUSES, type ConversionSummary } from '../types';
import { StatusBadge } from './ConvertPage';

interface Chosen {
  file: File;
  columns: string[];
}

interface Done {
  url: string;
  name: string;
  source: string;
  summary: ConversionSummary | null;
}

export function ConvertCsvPage() {
  const { t } = useTranslation();
  useTitle(t('convertCsv.title'));

  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [column, setColumn] = useState('');
  const [fileError, setFileError] = useState<string | null>(null);
  const [columnError, setColumnError] = useState<string | null>(null);
  const [formError, setFormError] = useState<string | null>(null);
  const [reading, setReading] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<Done | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);
  const columnRef = useRef<HTMLSelectElement>(null);
  const doneRef = useRef<Done | null>(null);
  const pickSeq = useRef(0);

  // The download link's object URL lives until the next result or leaving the page.
  const showDone = (d: Done | null) => {
    if (doneRef.current) URL.revokeObjectURL(doneRef.current.url);
    doneRef.current = d;
    setDone(d);
  };
  useEffect(
    () => () => {
      if (doneRef.current) URL.revokeObjectURL(doneRef.current.url);
    },
    [],
  );

  const pick = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0] ?? null;
    const seq = ++pickSeq.current;
    setChosen(null);
    setColumn('');
    setFileError(null);
    setColumnError(null);
    setFormError(null);
    showDone(null);
    if (!file) return;
    if (file.size > MAX_CSV_BYTES) {
      // Checked before reading anything (readCsvHeader checks it too).
      setFileError(t('convertCsv.problems.tooLarge', { size: formatBytes(file.size) }));
      return;
    }
    setReading(true);
    const header = await readCsvHeader(file);
    if (seq !== pickSeq.current) return; // another file was chosen meanwhile
    setReading(false);
    if (!header.ok) {
      setFileError(t(`convertCsv.problems.${header.problem}`, { size: formatBytes(file.size) }));
      return;
    }
    setChosen({ file, columns: header.columns });
    setColumn(defaultAddressColumn(header.columns));
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    setColumnError(null);
    if (!chosen) {
      if (!fileError) setFileError(t('convertCsv.fileRequired'));
      fileRef.current?.focus();
      return;
    }
    if (!column) {
      setColumnError(t('convertCsv.columnRequired'));
      columnRef.current?.focus();
      return;
    }
    setBusy(true);
    showDone(null);
    try {
      const r = await api.convertCsv(chosen.file, column);
      showDone({
        url: URL.createObjectURL(r.blob),
        name: convertedFileName(chosen.file.name),
        source: chosen.file.name,
        summary: r.summary,
      });
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field === 'column') {
        setColumnError(errorMessage(err));
        columnRef.current?.focus();
      } else if (err instanceof ApiError && err.status === 413) {
        setFileError(errorMessage(err));
      } else {
        setFormError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const names = chosen ? chosen.columns.filter((c) => c.trim() !== '') : [];
  const summary = done?.summary ?? null;
  const total = summary ? summary.converted + summary.ambiguous + summary.unresolved : 0;

  return (
    <div className="stack" data-testid="convert-csv-page">
      <h1 className="page-title">{t('convertCsv.title')}</h1>
      <p className="muted lead">{t('convertCsv.intro')}</p>

      <section className="card" aria-labelledby="csv-form-title">
        <h2 id="csv-form-title" className="card__title">
          {t('convertCsv.formTitle')}
        </h2>
        {formError && (
          <Alert tone="error" testId="csv-error">
            {formError}
          </Alert>
        )}
        <form className="form form--convert" onSubmit={submit} noValidate data-testid="csv-form">
          <TextField
            id="csv-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            label={t('convertCsv.file')}
            hint={t('convertCsv.fileHint')}
            required
            ref={fileRef}
            error={fileError}
            disabled={busy}
            onChange={(e) => void pick(e)}
            data-testid="csv-file"
          />
          {chosen && (
            <p className="muted form__note" role="status" data-testid="csv-file-info">
              {t('convertCsv.fileChosen', {
                name: chosen.file.name,
                size: formatBytes(chosen.file.size),
                count: chosen.columns.length,
              })}
            </p>
          )}
          <SelectField
            id="csv-column"
            name="column"
            label={t('convertCsv.column')}
            hint={t('convertCsv.columnHint')}
            required
            ref={columnRef}
            value={column}
            error={columnError}
            disabled={!chosen || busy}
            onChange={(e) => {
              setColumn(e.target.value);
              setColumnError(null);
            }}
            data-testid="csv-column"
          >
            <option value="">{chosen ? t('convertCsv.chooseColumn') : t('convertCsv.noFileYet')}</option>
            {names.map((c, i) => (
              <option key={`${i}:${c}`} value={c}>
                {c}
              </option>
            ))}
          </SelectField>
          <div className="form__actions">
            <button type="submit" className="btn btn--primary" disabled={busy || reading} data-testid="csv-submit">
              {busy ? t('convertCsv.submitting') : t('convertCsv.submit')}
            </button>
          </div>
        </form>
      </section>

      <div aria-live="polite" aria-busy={busy}>
        {done && (
          <section className="card result" aria-labelledby="csv-result-title" data-testid="csv-result">
            <h2 id="csv-result-title" className="card__title">
              {t('convertCsv.resultTitle')}
            </h2>
            <p>{t('convertCsv.done', { name: done.source })}</p>
            {summary ? (
              <dl className="summary" data-testid="csv-summary">
                {CONVERSION_STATUSES.map((s) => (
                  <div key={s} className={`summary__item summary__item--${s}`}>
                    <dt>
                      <StatusBadge status={s} />
                    </dt>
                    <dd data-testid={`csv-count-${s}`}>{formatNumber(summary[s])}</dd>
                  </div>
                ))}
                <div className="summary__item">
                  <dt>{t('convertCsv.total')}</dt>
                  <dd data-testid="csv-count-total">{formatNumber(total)}</dd>
                </div>
              </dl>
            ) : (
              <Alert tone="info">{t('convertCsv.noSummary')}</Alert>
            )}
            <p>
              <a className="btn btn--primary" href={done.url} download={done.name} data-testid="csv-download">
                {t('convertCsv.download', { name: done.name })}
              </a>
            </p>
          </section>
        )}
      </div>
    </div>
  );
}
