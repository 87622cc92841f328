import { useTranslation } from 'react-i18next';
import { useTitle } from '../components/useTitle';
import { Link } from '../router';

function Message({ title, text, testId }: { title: string; text: string; testId: string }) {
  const { t } = useTranslation();
  useTitle(title);
  return (
    <section className="card message-page" data-testid={testId}>
      <h1 className="page-title">{title}</h1>
      <p>{text}</p>
      <p>
        <Link to="/" className="btn btn--primary">
          {t('errors.backHome')}
        </Link>
      </p>
    </section>
  );
}

export function NotFoundPage() {
  const { t } = useTranslation();
  return <Message title={t('errors.notFoundTitle')} text={t('errors.notFound')} testId="not-found" />;
}

export function ForbiddenPage() {
  const { t } = useTranslation();
  return <Message title={t('errors.forbiddenTitle')} text={t('errors.forbidden')} testId="forbidden" />;
}
