import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../auth';
import { Alert } from '../components/Alert';
import { useTitle } from '../components/useTitle';
import { formatDateTime } from '../format';
import { Link } from '../router';
import { PasswordForm } from './PasswordForm';

export function AccountPage() {
  const { t } = useTranslation();
  const { account, setAccount } = useAuth();
  const [wasForced] = useState(() => !!account?.must_change_password);
  useTitle(t('account.title'));
  if (!account) return null;

  const forced = account.must_change_password;
  const none = t('account.none');
  const rows: [string, string, string?][] = [
    [t('account.username'), account.username, 'account-username'],
    [t('account.displayName'), account.display_name, 'account-display-name'],
    [t('account.kind'), t(`kinds.${account.kind}`, { defaultValue: account.kind })],
    [t('account.role'), t(`roles.${account.role}`, { defaultValue: account.role })],
    [t('account.unit'), account.unit_name ?? none],
    [t('account.email'), account.email ?? none],
    [t('account.status'), t(`status.${account.status}`, { defaultValue: account.status })],
    [t('account.verified'), account.verified ? t('account.yes') : t('account.no')],
    [t('account.totp'), account.totp_enabled ? t('account.on') : t('account.off')],
    [t('account.createdAt'), formatDateTime(account.created_at)],
  ];

  return (
    <div className="stack" data-testid="account-page">
      <h1 className="page-title">{t('account.title')}</h1>
      {forced && (
        <Alert tone="warning" testId="password-forced">
          {t('password.forced')}
        </Alert>
      )}
      <div className="two-col">
        <section className="card" aria-labelledby="profile-title">
          <h2 id="profile-title" className="card__title">
            {t('account.profile')}
          </h2>
          <dl className="details">
            {rows.map(([label, value, testId]) => (
              <div className="details__row" key={label}>
                <dt>{label}</dt>
                <dd data-testid={testId}>{value}</dd>
              </div>
            ))}
          </dl>
        </section>
        <section className="card" aria-labelledby="password-title">
          <h2 id="password-title" className="card__title">
            {t('password.title')}
          </h2>
          <PasswordForm
            onChanged={() => {
              if (account.must_change_password) setAccount({ ...account, must_change_password: false });
            }}
          />
          {wasForced && !forced && (
            <p>
              <Link to="/" className="btn btn--secondary" data-testid="password-continue">
                {t('password.continue')}
              </Link>
            </p>
          )}
        </section>
      </div>
    </div>
  );
}
