// Conversions between SQLite rows (Unix seconds, 0/1 flags) and domain records.

export const toDate = (s: number): Date => new Date(s * 1000);
export const toDateOrNull = (s: number | null | undefined): Date | null => (s === null || s === undefined ? null : new Date(s * 1000));
export const toSeconds = (d: Date): number => Math.floor(d.getTime() / 1000);
export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** `?, ?, ?` for an IN list of n values (the values themselves are always bound). */
export function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

/** Splits a long id list so each IN list stays under SQLite's bound-variable limit. */
export function* chunks<T>(items: readonly T[], size = 500): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
