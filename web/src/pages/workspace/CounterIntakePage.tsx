import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../api';
import { useAuth } from '../../auth';
import { Alert } from '../../components/Alert';
import { SelectField, TextField } from '../../components/Field';
import { useTitle } from '../../components/useTitle';
import { newIdempotencyKey } from '../../dossiers';
import { useLocation } from '../../router';
import type { Dossier, DossierInput, Prefill, ProcedureSummary } from '../../types';
import { useProcedure } from '../procedures/ProcedureDetailPage';
import { procedureName } from '../procedures/ProceduresPage';
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
} from '../dossiers/IntakeForm';
import { Submitted } from '../dossiers/SubmitPage';
import { workLink } from './InboxPage';

const PREFIX = 'counter';

type Kind = 'citizen' | 'business';

/** /xu-ly/tiep-nhan: a one-stop officer receives a dossier at the counter (in person or by post). */
export function CounterIntakePage() {
  const { t } = useTranslation();
  const { account } = useAuth();
  useTitle(t('counter.title'));
  const { search } = useLocation();

  const [list, setList] = useState<ProcedureSummary[]>([]);
  const [code, setCode] = useState(search.get('thu-tuc') ?? '');
  const { procedure: p, error: procError } = useProcedure(code);
  const [kind, setKind] = useState<Kind>('citizen');
  const [applicantId, setApplicantId] = useState('');
  const [prefill, setPrefill] = useState<Prefill | null>(null);
  const [lookupBusy, setLookupBusy] = useState(false);
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  const [channel, setChannel] = useState<'in_person' | 'post'>('in_person');
  const [values, setValues] = useState<Record<string, string>>({});
  const [choices, updateChoice, resetChoices] = useComponentChoices();
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
  const keyRef = useRef<{ body: string; key: string } | null>(null);
  const idRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let cancelled = false;
    api
      .procedures()
      .then((r) => {
        if (!cancelled) setList(Array.isArray(r.items) ? r.items : []);
      })
      .catch((e: unknown) => {
        if (!cancelled) setFormError(errorMessage(e));
      });
    return () => {
      cancelled = true;
    };
  }, []);

  // Another procedure or applicant: the prefill, the form and the components start again.
  const restart = () => {
    setPrefill(null);
    setValues({});
    resetChoices();
    setErrors({});
    setFormError(null);
  };

  if (!account) return null;

  const lookup = async () => {
    setFormError(null);
    const id = applicantId.trim();
    const ok = kind === 'citizen' ? /^\d{12}$/.test(id) : /^\d{10}(-\d{3})?$/.test(id);
    if (!ok) {
      setErrors({ 'applicant.id': kind === 'citizen' ? t('intake.badPersonalId') : t('intake.badEnterpriseCode') });
      idRef.current?.focus();
      return;
    }
    if (!p) {
      setErrors({ procedure: t('counter.procedureRequired') });
      return;
    }
    setErrors({});
    setLookupBusy(true);
    try {
      setPrefill(await api.prefill(p.code, id));
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field === 'applicant') setErrors({ 'applicant.id': errorMessage(err) });
      else setFormError(errorMessage(err));
    } finally {
      setLookupBusy(false);
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!p || !prefill) return;
    setFormError(null);
    const errs = validateIntake(t, p, prefill, values, choices);
    if (!prefill.applicant.known && !name.trim()) errs['applicant.name'] = t('counter.nameRequired');
    if (email.trim() && !/^[^\s@]+@[^\s@]+$/.test(email.trim())) errs['applicant.email'] = t('intake.badEmail');
    if (phone.trim() && !/^\d{9,12}$/.test(phone.trim())) errs['applicant.phone'] = t('intake.badPhone');
    setErrors(errs);
    const focus = (es: IntakeErrors) => {
      const first = Object.keys(es)[0];
      if (!first) return;
      const id = first.startsWith('applicant.') ? `counter-${first.slice(10)}` : intakeElementId(PREFIX, first);
      window.setTimeout(() => document.getElementById(id)?.focus(), 0);
    };
    if (Object.keys(errs).length) {
      setFormError(t('intake.checkMarked'));
      focus(errs);
      return;
    }
    const applicant: NonNullable<DossierInput['applicant']> = { kind, id: prefill.applicant.id };
    if (name.trim()) applicant.name = name.trim();
    if (phone.trim()) applicant.phone = phone.trim();
    if (email.trim()) applicant.email = email.trim();
    const body: DossierInput = {
      procedure_code: p.code,
      channel,
      applicant,
      form: buildForm(p, prefill, values),
      components: buildComponents(p, choices, 'counter'),
    };
    const s = JSON.stringify(body);
    if (!keyRef.current || keyRef.current.body !== s) keyRef.current = { body: s, key: newIdempotencyKey() };
    setBusy(true);
    try {
      const r = await api.submitDossier(body, keyRef.current.key);
      setDone(r);
      window.scrollTo(0, 0);
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      const key = intakeErrorKey(field) ?? (field?.startsWith('applicant.') ? field : null);
      if (key) {
        setErrors({ [key]: errorMessage(err) });
        setFormError(t('intake.checkMarked'));
        focus({ [key]: '' });
      } else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <div className="stack" data-testid="counter-page">
        <h1 className="page-title">{t('counter.title')}</h1>
        <Submitted d={done.dossier} created={done.created} openTo={workLink(done.dossier.code)} />
        <p>
          <button
            type="button"
            className="btn btn--ghost"
            onClick={() => {
              setDone(null);
              setApplicantId('');
              setName('');
              setPhone('');
              setEmail('');
              restart();
            }}
            data-testid="counter-again"
          >
            {t('counter.again')}
          </button>
        </p>
      </div>
    );
  }

  const uploading = Object.values(choices).some((c) => c.uploading);

  return (
    <div className="stack" data-testid="counter-page">
      <h1 className="page-title">{t('counter.title')}</h1>
      <p className="muted lead">{t('counter.intro')}</p>
      {formError && (
        <Alert tone="error" testId="counter-error">
          {formError}
        </Alert>
      )}
      {procError && <Alert tone="error">{procError}</Alert>}

      <section className="card" aria-labelledby="counter-who-title">
        <h2 id="counter-who-title" className="card__title">
          {t('counter.whoTitle')}
        </h2>
        <form
          className="form form--grid"
          onSubmit={(e) => {
            e.preventDefault();
            void lookup();
          }}
          noValidate
          data-testid="counter-lookup-form"
        >
          <div className="form__full">
            <SelectField
              id="counter-procedure"
              label={t('counter.procedure')}
              value={code}
              error={errors.procedure}
              disabled={busy}
              onChange={(e) => {
                setCode(e.target.value);
                restart();
              }}
              data-testid="counter-procedure"
            >
              <option value="">{t('intake.choose')}</option>
              {list.map((x) => (
                <option key={x.code} value={x.code}>
                  {x.code} — {procedureName(x)}
                </option>
              ))}
            </SelectField>
          </div>
          <SelectField
            id="counter-kind"
            label={t('counter.kind')}
            value={kind}
            disabled={busy}
            onChange={(e) => {
              setKind(e.target.value as Kind);
              restart();
            }}
            data-testid="counter-kind"
          >
            <option value="citizen">{t('counter.kinds.citizen')}</option>
            <option value="business">{t('counter.kinds.business')}</option>
          </SelectField>
          <TextField
            id="counter-id"
            label={kind === 'citizen' ? t('intake.personalId') : t('intake.enterpriseCode')}
            hint={kind === 'citizen' ? t('intake.personalIdHint') : undefined}
            inputMode="numeric"
            autoComplete="off"
            maxLength={14}
            ref={idRef}
            value={applicantId}
            error={errors['applicant.id']}
            disabled={busy}
            onChange={(e) => {
              setApplicantId(e.target.value);
              if (prefill) restart();
            }}
            data-testid="counter-id"
          />
          <div className="form__actions form__actions--inline">
            <button type="submit" className="btn btn--secondary" disabled={lookupBusy || busy || !code} data-testid="counter-lookup">
              {lookupBusy ? t('app.loading') : t('counter.lookup')}
            </button>
          </div>
        </form>
        <p className="muted">{t('counter.lookupNote')}</p>
      </section>

      {p && prefill && (
        <form className="stack" onSubmit={(e) => void submit(e)} noValidate data-testid="counter-form">
          <section className="card" aria-labelledby="counter-applicant-title">
            <h2 id="counter-applicant-title" className="card__title">
              {t('intake.applicantTitle')}
            </h2>
            {prefill.applicant.known ? (
              <Alert tone="success" testId="counter-known">
                {t('counter.known', { id: prefill.applicant.id })}
              </Alert>
            ) : (
              <Alert tone="warning" testId="counter-unknown">
                {t('counter.unknown', { id: prefill.applicant.id })}
              </Alert>
            )}
            <div className="form form--grid">
              <TextField
                id="counter-name"
                label={prefill.applicant.known ? `${t('intake.applicantName')} ${t('intake.optionalSuffix')}` : t('intake.applicantName')}
                hint={prefill.applicant.known ? t('counter.nameFromRegistry') : undefined}
                autoComplete="off"
                maxLength={200}
                value={name}
                error={errors['applicant.name']}
                disabled={busy}
                onChange={(e) => setName(e.target.value)}
                data-testid="counter-name"
              />
              <TextField
                id="counter-phone"
                type="tel"
                label={`${t('intake.phone')} ${t('intake.optionalSuffix')}`}
                inputMode="numeric"
                maxLength={12}
                value={phone}
                error={errors['applicant.phone']}
                disabled={busy}
                onChange={(e) => setPhone(e.target.value)}
                data-testid="counter-phone"
              />
              <TextField
                id="counter-email"
                type="email"
                label={`${t('intake.email')} ${t('intake.optionalSuffix')}`}
                value={email}
                error={errors['applicant.email']}
                disabled={busy}
                onChange={(e) => setEmail(e.target.value)}
                data-testid="counter-email"
              />
            </div>
            <fieldset className="choice-group section-gap">
              <legend className="field__label">{t('counter.channel')}</legend>
              {(['in_person', 'post'] as const).map((c) => (
                <label key={c} className="check">
                  <input
                    type="radio"
                    name="channel"
                    value={c}
                    checked={channel === c}
                    disabled={busy}
                    onChange={() => setChannel(c)}
                    data-testid={`counter-channel-${c}`}
                  />
                  <span>{t(`dossier.channels.${c}`)}</span>
                </label>
              ))}
            </fieldset>
          </section>

          <FormFieldsSection
            procedure={p}
            prefill={prefill}
            values={values}
            errors={errors}
            disabled={busy}
            prefix={PREFIX}
            onChange={(n, v) => {
              clearError(`form.${n}`);
              setValues((x) => ({ ...x, [n]: v }));
            }}
          />
          <ComponentsSection
            procedure={p}
            prefill={prefill}
            mode="counter"
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
            <div className="form__actions">
              <button type="submit" className="btn btn--primary" disabled={busy || uploading} data-testid="counter-submit">
                {busy ? t('intake.submitting') : t('counter.submit')}
              </button>
            </div>
          </section>
        </form>
      )}
    </div>
  );
}
