import { useState, type ChangeEvent, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../../api';
import { Alert, RetryAlert } from '../../../components/Alert';
import { SelectField, TextAreaField, TextField } from '../../../components/Field';
import {
  isServiceCode,
  isUpstreamUrl,
  MAX_BODY_DEFAULT,
  MAX_BODY_LIMIT,
  parsePaths,
  TIMEOUT_DEFAULT,
  TIMEOUT_MAX,
  TIMEOUT_MIN,
} from '../../../exchange';
import { formatBytes, formatNumber } from '../../../format';
import { Link } from '../../../router';
import { HTTP_METHODS, type ExchangeService, type ExchangeSystem } from '../../../types';
import { Card, StateBadge, useLoad, Wbr } from './common';

type FieldName =
  | 'provider'
  | 'code'
  | 'version'
  | 'upstream'
  | 'methods'
  | 'paths'
  | 'timeout_ms'
  | 'max_body'
  | 'description'
  | 'openapi';

const FIELDS: readonly string[] = [
  'provider',
  'code',
  'version',
  'upstream',
  'methods',
  'paths',
  'timeout_ms',
  'max_body',
  'description',
  'openapi',
];

/** At most this much OpenAPI text (the server's limit is 1 MiB for the whole request). */
const OPENAPI_MAX = 1024 * 1024 - 64 * 1024;

function PublishServiceForm({
  systems,
  onPublished,
}: {
  systems: ExchangeSystem[];
  onPublished: (s: ExchangeService) => void;
}) {
  const { t } = useTranslation();
  const [provider, setProvider] = useState('');
  const [code, setCode] = useState('');
  const [version, setVersion] = useState('v1');
  const [upstream, setUpstream] = useState('');
  const [methods, setMethods] = useState<string[]>(['GET']);
  const [paths, setPaths] = useState('/');
  const [timeout, setTimeoutMs] = useState(String(TIMEOUT_DEFAULT));
  const [maxBody, setMaxBody] = useState(String(MAX_BODY_DEFAULT));
  const [description, setDescription] = useState('');
  const [openapi, setOpenapi] = useState('');
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});

  const toggleMethod = (m: string, on: boolean) =>
    setMethods((list) => HTTP_METHODS.filter((x) => (x === m ? on : list.includes(x))));

  const readOpenapi = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    if (file.size > OPENAPI_MAX) {
      setErrors((x) => ({ ...x, openapi: t('exchange.services.openapiTooLarge') }));
      return;
    }
    try {
      setOpenapi(await file.text());
      setErrors((x) => ({ ...x, openapi: undefined }));
    } catch {
      setErrors((x) => ({ ...x, openapi: t('exchange.services.openapiUnreadable') }));
    }
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const errs: Partial<Record<FieldName, string>> = {};
    if (!provider) errs.provider = t('exchange.services.providerRequired');
    if (!code.trim()) errs.code = t('admin.fieldRequired');
    else if (!isServiceCode(code.trim())) errs.code = t('exchange.services.codeInvalid');
    if (!upstream.trim()) errs.upstream = t('admin.fieldRequired');
    else if (!isUpstreamUrl(upstream.trim())) errs.upstream = t('exchange.services.upstreamInvalid');
    if (methods.length === 0) errs.methods = t('exchange.services.methodsRequired');
    const pathList = parsePaths(paths);
    if (pathList.some((p) => !p.startsWith('/'))) errs.paths = t('exchange.services.pathsInvalid');
    const to = Number(timeout);
    if (!Number.isInteger(to) || to < TIMEOUT_MIN || to > TIMEOUT_MAX)
      errs.timeout_ms = t('exchange.services.timeoutInvalid', { min: TIMEOUT_MIN, max: formatNumber(TIMEOUT_MAX) });
    const mb = Number(maxBody);
    if (!Number.isInteger(mb) || mb < 1 || mb > MAX_BODY_LIMIT)
      errs.max_body = t('exchange.services.maxBodyInvalid', { max: formatNumber(MAX_BODY_LIMIT) });
    if (openapi.trim()) {
      try {
        JSON.parse(openapi);
      } catch {
        errs.openapi = t('exchange.services.openapiInvalid');
      }
      if (openapi.length > OPENAPI_MAX) errs.openapi = t('exchange.services.openapiTooLarge');
    }
    setErrors(errs);
    if (Object.keys(errs).length) return;

    setBusy(true);
    try {
      const res = await api.publishService({
        provider,
        code: code.trim(),
        ...(version.trim() ? { version: version.trim() } : {}),
        upstream: upstream.trim(),
        methods,
        paths: pathList.length ? pathList : ['/'],
        timeout_ms: to,
        max_body: mb,
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(openapi.trim() ? { openapi: openapi.trim() } : {}),
      });
      setCode('');
      setDescription('');
      setOpenapi('');
      onPublished(res.service);
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field && FIELDS.includes(field)) setErrors({ [field]: errorMessage(err) });
      else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (systems.length === 0) {
    return (
      <p className="muted" data-testid="service-form-nosystem">
        {t('exchange.services.needSystem')} <Link to="/admin/exchange">{t('exchange.tabs.systems')}</Link>
      </p>
    );
  }

  return (
    <form className="form form--grid" onSubmit={(e) => void submit(e)} noValidate data-testid="service-form">
      {formError && (
        <div className="form__full">
          <Alert tone="error" testId="service-form-error">
            {formError}
          </Alert>
        </div>
      )}
      <SelectField
        id="service-provider"
        label={t('exchange.services.provider')}
        value={provider}
        error={errors.provider}
        onChange={(e) => setProvider(e.target.value)}
        data-testid="service-provider"
      >
        <option value="">{t('exchange.choose')}</option>
        {systems.map((s) => (
          <option key={s.id} value={s.id}>
            {s.id} — {s.name}
          </option>
        ))}
      </SelectField>
      <TextField
        id="service-code"
        label={t('exchange.services.code')}
        hint={t('exchange.services.codeHint')}
        autoComplete="off"
        spellCheck={false}
        value={code}
        error={errors.code}
        onChange={(e) => setCode(e.target.value)}
        data-testid="service-code"
      />
      <TextField
        id="service-version"
        label={t('exchange.services.version')}
        autoComplete="off"
        value={version}
        error={errors.version}
        onChange={(e) => setVersion(e.target.value)}
        data-testid="service-version"
      />
      <div className="form__full">
        <TextField
          id="service-upstream"
          type="url"
          label={t('exchange.services.upstream')}
          hint={t('exchange.services.upstreamHint')}
          placeholder="http://10.0.0.5:8080/api"
          autoComplete="off"
          spellCheck={false}
          value={upstream}
          error={errors.upstream}
          onChange={(e) => setUpstream(e.target.value)}
          data-testid="service-upstream"
        />
      </div>
      <fieldset
        className={errors.methods ? 'choice-group field--invalid' : 'choice-group'}
        aria-describedby={errors.methods ? 'service-methods-error' : undefined}
        data-testid="service-methods"
      >
        <legend className="field__label">{t('exchange.services.methods')}</legend>
        <div className="method-checks">
          {HTTP_METHODS.map((m) => (
            <label key={m} className="check">
              <input
                type="checkbox"
                checked={methods.includes(m)}
                onChange={(e) => toggleMethod(m, e.target.checked)}
                data-testid={`service-method-${m}`}
              />
              <code>{m}</code>
            </label>
          ))}
        </div>
        {errors.methods && (
          <p className="field__error" id="service-methods-error">
            {errors.methods}
          </p>
        )}
      </fieldset>
      <TextAreaField
        id="service-paths"
        label={t('exchange.services.paths')}
        hint={t('exchange.services.pathsHint')}
        rows={3}
        spellCheck={false}
        value={paths}
        error={errors.paths}
        onChange={(e) => setPaths(e.target.value)}
        data-testid="service-paths"
      />
      <TextField
        id="service-timeout"
        type="number"
        min={TIMEOUT_MIN}
        max={TIMEOUT_MAX}
        step={100}
        label={t('exchange.services.timeout')}
        hint={t('exchange.services.timeoutHint')}
        value={timeout}
        error={errors.timeout_ms}
        onChange={(e) => setTimeoutMs(e.target.value)}
        data-testid="service-timeout"
      />
      <TextField
        id="service-max-body"
        type="number"
        min={1}
        max={MAX_BODY_LIMIT}
        label={t('exchange.services.maxBody')}
        hint={Number(maxBody) > 0 ? formatBytes(Number(maxBody)) : undefined}
        value={maxBody}
        error={errors.max_body}
        onChange={(e) => setMaxBody(e.target.value)}
        data-testid="service-max-body"
      />
      <div className="form__full">
        <TextAreaField
          id="service-description"
          label={t('exchange.services.description')}
          rows={2}
          maxLength={2000}
          value={description}
          error={errors.description}
          onChange={(e) => setDescription(e.target.value)}
          data-testid="service-description"
        />
      </div>
      <div className="form__full">
        <TextAreaField
          id="service-openapi"
          label={t('exchange.services.openapi')}
          hint={t('exchange.services.openapiHint')}
          rows={6}
          spellCheck={false}
          className="input textarea textarea--code"
          value={openapi}
          error={errors.openapi}
          onChange={(e) => setOpenapi(e.target.value)}
          data-testid="service-openapi"
        />
        <label className="file-pick">
          <span>{t('exchange.services.openapiFile')}</span>{' '}
          <input type="file" accept=".json,application/json" onChange={(e) => void readOpenapi(e)} data-testid="service-openapi-file" />
        </label>
      </div>
      <div className="form__actions form__full">
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="service-submit">
          {busy ? t('exchange.saving') : t('exchange.services.submit')}
        </button>
      </div>
    </form>
  );
}

export function ServicesTab() {
  const { t } = useTranslation();
  const services = useLoad(() => api.exchangeServices(), []);
  const systems = useLoad(() => api.exchangeSystems(), []);
  const [message, setMessage] = useState<string | null>(null);
  const items = services.data?.items ?? null;

  return (
    <>
      {message && (
        <Alert tone="success" testId="exchange-message">
          {message}
        </Alert>
      )}
      <Card id="services-title" title={t('exchange.services.listTitle')} busy={services.loading} testId="services-card">
        {services.error && <RetryAlert error={services.error} testId="services-error" onRetry={services.reload} />}
        {items === null && services.loading && <p className="muted">{t('app.loading')}</p>}
        {items !== null && items.length === 0 && <p className="muted" data-testid="services-empty">{t('exchange.services.empty')}</p>}
        {items !== null && items.length > 0 && (
          <div className="table-wrap" tabIndex={0} role="region" aria-labelledby="services-title">
            <table className="table" data-testid="services-table">
              <thead>
                <tr>
                  <th scope="col">{t('exchange.services.service')}</th>
                  <th scope="col">{t('exchange.services.forwarding')}</th>
                  <th scope="col" className="num">
                    {t('exchange.services.limits')}
                  </th>
                  <th scope="col">{t('exchange.colStatus')}</th>
                  <th scope="col">{t('exchange.colActions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((s) => (
                  <tr key={s.id} data-testid={`service-row-${s.code}`}>
                    <td>
                      <strong>
                        <code>{s.code}</code>
                      </strong>{' '}
                      <span className="muted">{s.version}</span>{' '}
                      {s.has_openapi && <span className="badge badge--st-info">OpenAPI</span>}
                      <div className="cell-note">
                        <code>
                          <Wbr text={s.provider} />
                        </code>
                      </div>
                      {s.description && <div className="cell-note">{s.description}</div>}
                    </td>
                    <td>
                      <code className="break">{s.upstream}</code>
                      <div className="cell-note">
                        <code>{s.methods.join(', ')}</code> · <code>{s.paths.join(', ')}</code>
                      </div>
                    </td>
                    <td className="num">
                      {formatNumber(s.timeout_ms)} ms
                      <br />
                      {formatBytes(s.max_body)}
                    </td>
                    <td>
                      <StateBadge state={s.status} group="services" />
                    </td>
                    <td className="table__actions">
                      <Link
                        to={`/admin/exchange/grants?service=${s.id}`}
                        className="btn btn--small btn--ghost"
                        data-testid={`service-grant-${s.code}`}
                      >
                        {t('exchange.services.grant')}
                      </Link>
                      <Link
                        to={`/admin/exchange/messages?${new URLSearchParams({ service: `${s.provider}/${s.code}` }).toString()}`}
                        className="btn btn--small btn--ghost"
                      >
                        {t('exchange.systems.messages')}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <Card id="service-form-title" title={t('exchange.services.formTitle')}>
        {systems.error && <RetryAlert error={systems.error} onRetry={systems.reload} />}
        {systems.data === null && systems.loading && <p className="muted">{t('app.loading')}</p>}
        {systems.data && (
          <PublishServiceForm
            systems={systems.data.items}
            onPublished={(s) => {
              setMessage(t('exchange.services.published', { code: s.code }));
              services.reload();
            }}
          />
        )}
      </Card>
    </>
  );
}
