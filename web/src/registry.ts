import type { TFunction } from 'i18next';
import { formatDate } from './format';
import type { RegistryName } from './types';

// Shared by the registry lookup, the data-quality dashboard and "my data": field and rule wording.

/** The order fields are shown in (the server's data may hold others: they follow, in its order). */
export const FIELD_ORDER: Record<RegistryName, readonly string[]> = {
  citizens: [
    'id_number',
    'full_name',
    'birth_date',
    'sex',
    'ethnicity',
    'nationality',
    'household_id',
    'permanent_address',
    'permanent_street',
    'permanent_commune_code',
    'permanent_province_code',
    'current_address',
    'current_street',
    'current_commune_code',
    'current_province_code',
  ],
  enterprises: [
    'enterprise_code',
    'name',
    'status',
    'registration_date',
    'legal_representative_id',
    'address',
    'street',
    'commune_code',
    'province_code',
  ],
  households: ['household_id', 'head_id', 'members', 'address', 'street', 'commune_code', 'province_code'],
  parcels: [
    'parcel_id',
    'commune_code',
    'map_sheet',
    'parcel_number',
    'area_m2',
    'land_use',
    'owners',
    'certificate_number',
  ],
};

/** The fields of `data` in display order. */
export function orderedFields(registry: RegistryName, data: Record<string, string>): string[] {
  const known = FIELD_ORDER[registry].filter((f) => f in data);
  const rest = Object.keys(data).filter((f) => !known.includes(f));
  return [...known, ...rest];
}

export function isUnitField(field: string): boolean {
  return field === 'commune_code' || field === 'province_code' || /_(commune|province)_code$/.test(field);
}

export function fieldLabel(t: TFunction, field: string): string {
  return t(`registryFields.${field}`, { defaultValue: field });
}

/** A stored value as people read it (codes of units with their names when known). */
export function formatValue(t: TFunction, field: string, value: string, unitNames: Record<string, string>): string {
  if (!value) return '';
  if (isUnitField(field)) {
    const name = unitNames[value];
    return name ? t('registry.unitWithCode', { name, code: value }) : value;
  }
  switch (field) {
    case 'birth_date':
    case 'registration_date':
      return formatDate(value);
    case 'sex':
      return t(`registry.sex.${value}`, { defaultValue: value });
    case 'status':
      return t(`registry.enterpriseStatus.${value}`, { defaultValue: value });
    case 'area_m2':
      return t('registry.area', { value });
    case 'members':
    case 'owners':
      return value.split('|').join(', ');
    default:
      return value;
  }
}

// ---- rules ----

export const RULE_KINDS = ['correct', 'sufficient', 'clean', 'live', 'unified'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export function ruleKind(rule: string): RuleKind | null {
  const k = rule.slice(0, rule.indexOf('.'));
  return (RULE_KINDS as readonly string[]).includes(k) ? (k as RuleKind) : null;
}

/** A short description of a rule code in the current language; the code itself when unknown. */
export function ruleText(t: TFunction, rule: string, staleDays = 365): string {
  if (rule.startsWith('sufficient.')) {
    return t('ruleText.sufficient', { field: fieldLabel(t, rule.slice('sufficient.'.length)) });
  }
  // Rule codes hold one dot, which is also i18next's key separator: "unified.address_converted"
  // is ruleText → unified → address_converted in the JSON.
  return t(`ruleText.${rule}`, { defaultValue: rule, days: staleDays });
}

/** The rule codes of a history item's "a|b" string. */
export function splitRules(s: string | null | undefined): string[] {
  return s ? s.split('|').filter(Boolean) : [];
}

/** The fields whose value differs between two versions' data. */
export function changedFields(prev: Record<string, string> | null, next: Record<string, string>): string[] {
  if (!prev) return [];
  const keys = new Set([...Object.keys(prev), ...Object.keys(next)]);
  return [...keys].filter((k) => (prev[k] ?? '') !== (next[k] ?? ''));
}
