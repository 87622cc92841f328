import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage, receiptUrl } from '../../api';
import { useAuth } from '../../auth';
import { Alert, RetryAlert } from '../../components/Alert';
import { DossierStatus } from '../../components/Dossier';
import { SelectField, TextField } from '../../components/Field';
import { useTitle } from '../../components/useTitle';
import { defaultProvince, newIdempotencyKey } from '../../dossiers';
import { formatDateTime } from '../../format';
import { Link } from '../../router';
import type { Agency, Dossier, DossierInput, Prefill, Unit } from '../../types';
import { useProcedure } from '../procedures/ProcedureDetailPage';
import { procedureLink, procedureName } from '../procedures/ProceduresPage';
import {
  buildComponents,
  buildForm,
  ComponentsSection,
  FormFieldsSection,
  intakeElementId,
  intakeErrorKey,
  useComponentChoices,
  validateIntake,
  type IntakeErrors,
} from './IntakeForm';

const PREFIX = 'submit';

/** Service centres first, then the people's committees, then the rest. */
function agencyRank(a: Agency): number {
  return a.kind === 'service-centre' ? 0 : a.kind === 'people-committee' ? 1 : 2;
}

/**
 * Remembers one Idempotency-Key per body: a retry of the same submission (e.g. after a network
 * error) sends the same key and gets the first dossier back; a changed form gets a new key.
 */
function useIdempotencyKey(): (body: unknown) => string {
  const last = useRef<{ body: string; key: string } | null>(null);
  return (body) => {
    const s = JSON.stringify(body);
    if (!last.current || last.current.body !== s) last.current = { body: s, key: newIdempotencyKey() };
    return last.current.key;
  };
}

/** The answer after submitting: the code, the status, the receipt. */
export function Submitted({ d, openTo, created }: { d: Dossier; openTo: string; created: boolean }) {
  const { t } = useTranslation();
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  return (
    <section className="card result result--converted" aria-labelledby="submitted-title" data-testid="submitted">
      <h2 id="submitted-title" className="card__title result__title" tabIndex={-1} ref={headingRef}>
        {created ? t('intake.submittedTitle') : t('intake.alreadySubmitted')}
      </h2>
      <div className="result-address">
        <p className="result-address__label">{t('dossier.code')}</p>
        <p className="result-address__value" data-testid="submitted-code">
          {d.code}
        </p>
      </div>
      <dl className="details">
        <div className="details__row">
          <dt>{t('dossier.status')}</dt>
          <dd>
            <DossierStatus status={d.status} substate={d.substate} testId="submitted-status" />
          </dd>
        </div>
        <div className="details__row">
          <dt>{t('dossier.receivingAgency')}</dt>
          <dd>{d.receiving_agency.name}</dd>
        </div>
        <div className="details__row">
          <dt>{t('dossier.submittedAt')}</dt>
          <dd>{formatDateTime(d.submitted_at)}</dd>
        </div>
        {d.due_at && (
          <div className="details__row">
            <dt>{t('dossier.dueAt')}</dt>
            <dd>{formatDateTime(d.due_at)}</dd>
          </div>
        )}
      </dl>
      {!d.due_at && <p className="muted">{t('intake.dueAfterReceipt')}</p>}
      <p className="form__actions">
        <a className="btn btn--secondary" href={receiptUrl(d.code)} target="_blank" rel="noopener" data-testid="submitted-receipt">
          {t('dossier.receipt')}
        </a>
        <Link to={openTo} className="btn btn--primary" data-testid="submitted-open">
          {t('intake.openDossier')}
        </Link>
      </p>
    </section>
  );
}

/** /thu-tuc/:code/nop: a verified citizen or business submits a dossier online. */
export function SubmitPage({ code }: { code: string }) {
  const { t } = useTranslation();
  const { account } = useAuth();
  const { procedure: p, error: procError, notFound, retry } = useProcedure(code);
  useTitle(p ? t('intake.submitTitle', { name: procedureName(p) }) : t('intake.submitTitleShort'));
  const eligible = !!account && (account.role === 'citizen' || account.role === 'business') && account.verified;

  const [prefill, setPrefill] = useState<Prefill | null>(null);
  const [prefillError, setPrefillError] = useState<string | null>(null);
  const [prefillAttempt, setPrefillAttempt] = useState(0);
  const [provinces, setProvinces] = useState<Unit[]>([]);
  const [province, setProvince] = useState('');
  const [agencies, setAgencies] = useState<Agency[] | null>(null);
  const [agency, setAgency] = useState('');
  const [email, setEmail] = useState(account?.email ?? '');
  const [phone, setPhone] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [choices, updateChoice] = useComponentChoices();
  const [errors, setErrors] = useState<IntakeErrors>({});
  /** A problem goes away once its field is changed. */
  const clearError = (key: string) =>
    setErrors((x) => {
      if (!(key in x)) return x;
      const { [key]: _gone, ...rest } = x;
      return rest;
    });
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ dossier: Dossier; created: boolean } | null>(null);
  const keyFor = useIdempotencyKey();

  useEffect(() => {
    if (!eligible || !p) return undefined;
    let cancelled = false;
    setPrefillError(null);
    api
      .prefill(p.code)
      .then((r) => {
        if (!cancelled) setPrefill(r);
      })
      .catch((e: unknown) => {
        if (!cancelled) setPrefillError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, [eligible, p, prefillAttempt]);

  useEffect(() => {
    if (!eligible) return undefined;
    let cancelled = false;
    api
      .provinces()
      .then((r) => {
        if (cancelled || !account) return;
        const items = Array.isArray(r.items) ? r.items : [];
        setProvinces(items);
        setProvince((cur) => cur || defaultProvince(account, items.map((u) => u.code)));
      })
      .catch(() => {
        // The list stays empty: the default province is used.
        if (!cancelled) setProvince((cur) => cur || '01');
      });
    return () => {
      cancelled = true;
    };
  }, [eligible, account]);

  useEffect(() => {
    if (!province) return undefined;
    let cancelled = false;
    setAgencies(null);
    api
      .agencies({ province })
      .then((r) => {
        if (cancelled) return;
        const items = (Array.isArray(r.items) ? r.items : [])
          .filter((a) => a.status === 'active')
          .sort((a, b) => agencyRank(a) - agencyRank(b) || a.code.localeCompare(b.code));
        setAgencies(items);
        setAgency((cur) => (items.some((a) => a.code === cur) ? cur : (items[0]?.code ?? '')));
      })
      .catch((e: unknown) => {
        if (!cancelled) {
          setAgencies([]);
          setErrors((x) => ({ ...x, receiving_agency: errorMessage(e) }));
        }
      });
    return () => {
      cancelled = true;
    };
  }, [province]);

  if (!account) return null;

  if (!eligible) {
    return (
      <div className="stack" data-testid="submit-page">
        <h1 className="page-title">{t('intake.submitTitleShort')}</h1>
        {account.role === 'one-stop-officer' ? (
          <Alert tone="info" testId="submit-officer">
            {t('intake.officerUseCounter')}{' '}
            <Link to={`/xu-ly/tiep-nhan?${new URLSearchParams({ 'thu-tuc': code }).toString()}`}>{t('nav.counter')}</Link>
          </Alert>
        ) : account.role === 'citizen' || account.role === 'business' ? (
          <Alert tone="warning" testId="submit-not-verified">
            {t('intake.notVerified')}
          </Alert>
        ) : (
          <Alert tone="info" testId="submit-applicants-only">
            {t('intake.applicantsOnly')}
          </Alert>
        )}
      </div>
    );
  }

  if (notFound)
    return (
      <Alert tone="warning" testId="procedure-not-found">
        {t('procedures.notFound', { code })}
      </Alert>
    );
  if (procError) return <RetryAlert error={procError} testId="procedure-error" onRetry={retry} />;
  if (!p) return <p className="muted">{t('app.loading')}</p>;

  const focusFirst = (errs: IntakeErrors) => {
    const first = Object.keys(errs)[0];
    if (!first) return;
    const id = first === 'receiving_agency' ? 'submit-agency' : first.startsWith('applicant.') ? `submit-${first.slice(10)}` : intakeElementId(PREFIX, first);
    window.setTimeout(() => document.getElementById(id)?.focus(), 0);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const errs = validateIntake(t, p, prefill, values, choices);
    if (!agency) errs.receiving_agency = t('intake.agencyRequired');
    if (email.trim() && !/^[^\s@]+@[^\s@]+$/.test(email.trim())) errs['applicant.email'] = t('intake.badEmail');
    if (phone.trim() && !/^\d{9,12}$/.test(phone.trim())) errs['applicant.phone'] = t('intake.badPhone');
    setErrors(errs);
    if (Object.keys(errs).length) {
      setFormError(t('intake.checkMarked'));
      focusFirst(errs);
      return;
    }
    const applicant: DossierInput['applicant'] = {};
    if (email.trim()) applicant.email = email.trim();
    if (phone.trim()) applicant.phone = phone.trim();
    const body: DossierInput = {
      procedure_code: p.code,
      receiving_agency: agency,
      form: buildForm(p, prefill, values),
      components: buildComponents(p, choices, 'online'),
    };
    if (applicant.email || applicant.phone) body.applicant = applicant;
    setBusy(true);
    try {
      const r = await api.submitDossier(body, keyFor(body));
      setDone(r);
      window.scrollTo(0, 0);
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      const key = intakeErrorKey(field) ?? (field === 'receiving_agency' || field?.startsWith('applicant.') ? field : null);
      if (key) {
        const next = { [key]: errorMessage(err) };
        setErrors(next);
        setFormError(t('intake.checkMarked'));
        focusFirst(next);
      } else {
        setFormError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <div className="stack" data-testid="submit-page">
        <h1 className="page-title">{procedureName(p)}</h1>
        <Submitted d={done.dossier} created={done.created} openTo={`/ho-so/${encodeURIComponent(done.dossier.code)}`} />
      </div>
    );
  }

  const uploading = Object.values(choices).some((c) => c.uploading);

  return (
    <div className="stack" data-testid="submit-page">
      <p>
        <Link to={procedureLink(p.code)}>{t('intake.backToProcedure')}</Link>
      </p>
      <h1 className="page-title">{t('intake.submitTitle', { name: procedureName(p) })}</h1>
      <p className="muted lead">{t('intake.submitIntro')}</p>
      {prefillError && (
        <RetryAlert error={prefillError} testId="submit-prefill-error" onRetry={() => setPrefillAttempt((n) => n + 1)} />
      )}
      {!prefill && !prefillError && <p className="muted">{t('app.loading')}</p>}
      {prefill && !prefill.applicant.known && (
        <Alert tone="warning" testId="submit-not-in-registry">
          {t('intake.notInRegistry')}
        </Alert>
      )}
      {prefill && (
        <form className="stack" onSubmit={(e) => void submit(e)} noValidate data-testid="submit-form">
          {formError && (
            <Alert tone="error" testId="submit-error">
              {formError}
            </Alert>
          )}
          <section className="card" aria-labelledby="submit-applicant-title">
            <h2 id="submit-applicant-title" className="card__title">
              {t('intake.applicantTitle')}
            </h2>
            <dl className="details">
              <div className="details__row">
                <dt>{t('intake.applicantName')}</dt>
                <dd data-testid="submit-applicant-name">{account.display_name}</dd>
              </div>
              <div className="details__row">
                <dt>{prefill.applicant.kind === 'business' ? t('intake.enterpriseCode') : t('intake.personalId')}</dt>
                <dd data-testid="submit-applicant-id">{prefill.applicant.id}</dd>
              </div>
            </dl>
            <div className="form form--grid">
              <TextField
                id="submit-email"
                type="email"
                label={`${t('intake.email')} ${t('intake.optionalSuffix')}`}
                hint={t('intake.emailHint')}
                autoComplete="email"
                value={email}
                error={errors['applicant.email']}
                disabled={busy}
                onChange={(e) => setEmail(e.target.value)}
                data-testid="submit-email"
              />
              <TextField
                id="submit-phone"
                type="tel"
                label={`${t('intake.phone')} ${t('intake.optionalSuffix')}`}
                hint={t('intake.phoneHint')}
                autoComplete="tel"
                inputMode="numeric"
                maxLength={12}
                value={phone}
                error={errors['applicant.phone']}
                disabled={busy}
                onChange={(e) => setPhone(e.target.value)}
                data-testid="submit-phone"
              />
            </div>
          </section>

          <section className="card" aria-labelledby="submit-agency-title">
            <h2 id="submit-agency-title" className="card__title">
              {t('intake.agencyTitle')}
            </h2>
            <p className="muted">{t('intake.agencyIntro')}</p>
            <div className="form form--grid">
              <SelectField
                id="submit-province"
                label={t('intake.province')}
                value={province}
                disabled={busy}
                onChange={(e) => setProvince(e.target.value)}
                data-testid="submit-province"
              >
                {provinces.length === 0 && province && <option value={province}>{province}</option>}
                {provinces.map((u) => (
                  <option key={u.code} value={u.code}>
                    {u.name}
                  </option>
                ))}
              </SelectField>
              <SelectField
                id="submit-agency"
                label={t('intake.agency')}
                value={agency}
                error={errors.receiving_agency}
                disabled={busy || !agencies || agencies.length === 0}
                onChange={(e) => setAgency(e.target.value)}
                data-testid="submit-agency"
              >
                {!agencies && <option value="">{t('app.loading')}</option>}
                {agencies && agencies.length === 0 && <option value="">{t('intake.noAgencies')}</option>}
                {agencies?.map((a) => (
                  <option key={a.code} value={a.code}>
                    {a.name} ({a.code})
                  </option>
                ))}
              </SelectField>
            </div>
          </section>

          <FormFieldsSection
            procedure={p}
            prefill={prefill}
            values={values}
            errors={errors}
            disabled={busy}
            prefix={PREFIX}
            onChange={(name, v) => {
              clearError(`form.${name}`);
              setValues((x) => ({ ...x, [name]: v }));
            }}
          />
          <ComponentsSection
            procedure={p}
            prefill={prefill}
            mode="online"
            choices={choices}
            errors={errors}
            disabled={busy}
            prefix={PREFIX}
            onChange={(c, next) => {
              clearError(`components.${c}`);
              updateChoice(c, next);
            }}
          />

          <section className="card">
            <p className="muted">{t('intake.declaration')}</p>
            <div className="form__actions">
              <button type="submit" className="btn btn--primary" disabled={busy || uploading} data-testid="submit-submit">
                {busy ? t('intake.submitting') : t('intake.submit')}
              </button>
              <Link to={procedureLink(p.code)} className="btn btn--ghost">
                {t('intake.cancel')}
              </Link>
            </div>
          </section>
        </form>
      )}
    </div>
  );
}
