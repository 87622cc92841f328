import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** Sets document.title to "<page> — Liên thông" (the full product name when no page). */
export function useTitle(page: string | null): void {
  const { t } = useTranslation();
  const short = t('app.shortName');
  const full = t('app.fullName');
  useEffect(() => {
    document.title = page ? `${page} — ${short}` : full;
  }, [page, short, full]);
}
