import { useTranslation } from 'react-i18next';
import { useTitle } from '../../components/useTitle';
import { Link } from '../../router';
import { ActionsPanel } from '../dossiers/Actions';
import { DossierDetail } from '../dossiers/DossierDetail';

/** /xu-ly/:code: the dossier with the actions the official's role may take in its status. */
export function WorkDossierPage({ code }: { code: string }) {
  const { t } = useTranslation();
  useTitle(t('inbox.detailTitle', { code }));
  return (
    <DossierDetail
      code={code}
      backLink={
        <p>
          <Link to="/xu-ly" data-testid="back-to-inbox">
            {t('inbox.back')}
          </Link>
        </p>
      }
      actions={(d, replace) => <ActionsPanel d={d} applicant={false} onChanged={replace} />}
    />
  );
}
