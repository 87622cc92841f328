import { useEffect, useState } from 'react';
import { api } from '../api';

// Unit names by code (current map), fetched once per code for the whole session.
const cache = new Map<string, Promise<string | null>>();

function lookup(code: string): Promise<string | null> {
  let p = cache.get(code);
  if (!p) {
    p = api.unit(code).then(
      (r) => r.unit.name,
      () => null, // an unknown code just shows as a code
    );
    cache.set(code, p);
  }
  return p;
}

/** Province (2 digits) and commune (5 digits) codes: anything else is not looked up. */
export function isUnitCode(code: string): boolean {
  return /^\d{2}$|^\d{5}$/.test(code);
}

/** The names of the unit codes given (those known so far); unknown codes are simply absent. */
export function useUnitNames(codes: readonly string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const wanted = [...new Set(codes.filter(isUnitCode))].sort().join(',');

  useEffect(() => {
    if (!wanted) return;
    let cancelled = false;
    const list = wanted.split(',');
    void Promise.all(list.map(async (c) => [c, await lookup(c)] as const)).then((pairs) => {
      if (cancelled) return;
      const found: Record<string, string> = {};
      for (const [c, n] of pairs) if (n) found[c] = n;
      setNames((prev) => ({ ...prev, ...found }));
    });
    return () => {
      cancelled = true;
    };
  }, [wanted]);

  return names;
}
