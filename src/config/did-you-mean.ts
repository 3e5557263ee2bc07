import { closest, distance } from 'fastest-levenshtein';

/** ` (did you mean 'x'?)` when one candidate is close enough to be a likely typo, else ''. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return '';
  const best = closest(input, [...candidates]);
  const allowed = Math.max(1, Math.floor(Math.max(input.length, best.length) / 3));
  return distance(input.toLowerCase(), best.toLowerCase()) <= allowed ? ` (did you mean '${best}'?)` : '';
}
