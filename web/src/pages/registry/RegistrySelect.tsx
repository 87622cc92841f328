import { useTranslation } from 'react-i18next';
import { SelectField } from '../../components/Field';
import { isRegistryName, REGISTRIES, type RegistryName } from '../../types';

/** The choice of base registry (citizens, households, enterprises, parcels), used by the registry forms. */
export function RegistrySelect({
  id,
  testId,
  value,
  onChange,
}: {
  id: string;
  testId: string;
  value: RegistryName;
  onChange: (registry: RegistryName) => void;
}) {
  const { t } = useTranslation();
  return (
    <SelectField
      id={id}
      name="registry"
      label={t('registry.registry')}
      value={value}
      onChange={(e) => {
        const r = e.target.value;
        if (isRegistryName(r)) onChange(r);
      }}
      data-testid={testId}
    >
      {REGISTRIES.map((r) => (
        <option key={r} value={r}>
          {t(`registry.registries.${r}`)}
        </option>
      ))}
    </SelectField>
  );
}
