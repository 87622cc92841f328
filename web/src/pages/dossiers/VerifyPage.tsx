import { useEffect, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage, resultUrls } from '../../api';
import { Alert } from '../../components/Alert';
import { TextField } from '../../components/Field';
import { useTitle } from '../../components/useTitle';
import { formatBytes, formatDateTime } from '../../format';
import { useLocation } from '../../router';
import type { Verification } from '../../types';

/** The server reads at most 1 MiB of a result file. */
const MAX_RESULT_BYTES = 1024 * 1024;

type Outcome = { from: 'qr' | 'file'; v: Verification; fileName?: string };

function VerificationView({ outcome, code, signature }: { outcome: Outcome; code: string; signature: string }) {
  const { t } = useTranslation();
  const { v } = outcome;
  const doc = v.document;
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), [outcome]);
  const urls = outcome.from === 'qr' && v.valid ? resultUrls(code, signature) : null;
  return (
    <article
      className={`card result verify ${v.valid ? 'verify--valid' : 'verify--invalid'}`}
      aria-labelledby="verify-result-title"
      data-testid="verify-result"
      data-valid={v.valid ? 'true' : 'false'}
    >
      <h2
        id="verify-result-title"
        className="card__title result__title verify__title"
        tabIndex={-1}
        ref={headingRef}
        data-testid={v.valid ? 'verify-valid' : 'verify-invalid'}
      >
        <span className="verify__mark" aria-hidden="true">
          {v.valid ? '✓' : '✗'}
        </span>
        {v.valid ? t('verify.valid') : t('verify.invalid')}
      </h2>
      <p>{v.valid ? t('verify.validText') : t('verify.invalidText')}</p>
      {!v.valid && v.reason && (
        <p data-testid="verify-reason">
          <strong>{t('verify.reason')}:</strong> {v.reason}
        </p>
      )}
      {outcome.fileName && <p className="muted">{t('verify.checkedFile', { name: outcome.fileName })}</p>}
      {doc && (
        <>
          <dl className="details" data-testid="verify-details">
            <div className="details__row">
              <dt>{t('verify.issuer')}</dt>
              <dd data-testid="verify-issuer">
                {doc.issued_by?.name} <span className="muted">({doc.issued_by?.code})</span>
              </dd>
            </div>
            <div className="details__row">
              <dt>{t('verify.resultName')}</dt>
              <dd data-testid="verify-result-name">{doc.result_name}</dd>
            </div>
            <div className="details__row">
              <dt>{t('verify.issuedAt')}</dt>
              <dd>{formatDateTime(doc.issued_at)}</dd>
            </div>
            <div className="details__row">
              <dt>{t('verify.approvedBy')}</dt>
              <dd>{doc.approved_by}</dd>
            </div>
            <div className="details__row">
              <dt>{t('verify.holder')}</dt>
              <dd data-testid="verify-holder">{doc.applicant?.name}</dd>
            </div>
            <div className="details__row">
              <dt>{t('dossier.code')}</dt>
              <dd data-testid="verify-dossier-code">{doc.dossier_code}</dd>
            </div>
            <div className="details__row">
              <dt>{t('dossier.procedure')}</dt>
              <dd>
                {doc.procedure_name} ({doc.procedure_code})
              </dd>
            </div>
          </dl>
          {doc.content && Object.keys(doc.content).length > 0 && (
            <>
              <h3 className="result__subtitle">{t('verify.content')}</h3>
              <div className="table-wrap">
                <table className="table table--record" data-testid="verify-content">
                  <tbody>
                    {Object.entries(doc.content).map(([k, val]) => (
                      <tr key={k}>
                        <th scope="row">{k}</th>
                        <td>{String(val)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </>
      )}
      {urls && (
        <p className="form__actions">
          <a className="btn btn--secondary" href={urls.pdf} target="_blank" rel="noopener" data-testid="verify-pdf">
            {t('verify.downloadPdf')}
          </a>
          <a className="btn btn--secondary" href={urls.json} download={`ket-qua-${code}.json`} data-testid="verify-json">
            {t('verify.downloadJson')}
          </a>
        </p>
      )}
    </article>
  );
}

/** /xac-thuc: checks a result, from its QR code (?ma=&s=) or from its signed JSON file. */
export function VerifyPage() {
  const { t } = useTranslation();
  useTitle(t('verify.title'));
  const { search } = useLocation();
  const code = (search.get('ma') ?? '').trim();
  const signature = (search.get('s') ?? '').trim();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setOutcome(null);
    setError(null);
    if (!code || !signature) return undefined;
    let cancelled = false;
    setBusy(true);
    api
      .verifyResult(code, signature)
      .then((v) => {
        if (!cancelled) setOutcome({ from: 'qr', v });
      })
      .catch((e: unknown) => {
        if (cancelled) return;
        if (e instanceof ApiError && e.status === 404)
          setOutcome({ from: 'qr', v: { valid: false, reason: t('verify.noMatch') } });
        else setError(errorMessage(e));
      })
      .finally(() => {
        if (!cancelled) setBusy(false);
      });
    return () => {
      cancelled = true;
    };
    // t only words the answer.
  }, [code, signature]);

  const pick = (e: ChangeEvent<HTMLInputElement>) => {
    const f = e.target.files?.[0] ?? null;
    setFile(null);
    setFileError(null);
    if (!f) return;
    if (f.size > MAX_RESULT_BYTES) setFileError(t('verify.fileTooLarge', { max: formatBytes(MAX_RESULT_BYTES) }));
    else if (f.size === 0) setFileError(t('verify.fileEmpty'));
    else setFile(f);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) {
      if (!fileError) setFileError(t('verify.fileRequired'));
      fileRef.current?.focus();
      return;
    }
    setError(null);
    setBusy(true);
    try {
      const v = await api.verifyResultFile(file);
      setOutcome({ from: 'file', v, fileName: file.name });
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="stack" data-testid="verify-page">
      <h1 className="page-title">{t('verify.title')}</h1>
      <p className="muted lead">{t('verify.intro')}</p>

      {code && signature && busy && !outcome && <p className="muted">{t('verify.checking')}</p>}
      {error && (
        <Alert tone="error" testId="verify-error">
          {error}
        </Alert>
      )}
      {outcome && <VerificationView outcome={outcome} code={code} signature={signature} />}

      <section className="card" aria-labelledby="verify-file-title">
        <h2 id="verify-file-title" className="card__title">
          {t('verify.fileTitle')}
        </h2>
        <p className="muted">{t('verify.fileIntro')}</p>
        <form className="form form--convert" onSubmit={(e) => void submit(e)} noValidate data-testid="verify-form">
          <TextField
            id="verify-file"
            name="file"
            type="file"
            accept="application/json,.json"
            label={t('verify.file')}
            hint={t('verify.fileHint')}
            ref={fileRef}
            error={fileError}
            disabled={busy}
            onChange={pick}
            data-testid="verify-file"
          />
          <div className="form__actions">
            <button type="submit" className="btn btn--primary" disabled={busy} data-testid="verify-submit">
              {busy ? t('verify.checking') : t('verify.check')}
            </button>
          </div>
        </form>
      </section>
    </div>
  );
}
