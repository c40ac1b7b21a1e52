/**
 * What a cell of a user's file means, shared by the readers (which parse numeric CSV columns
 * while streaming) and the task builder: the number it holds, or why it holds none.
 */

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;

export function isMissing(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

export function missingReason(v: unknown): string {
  return v === undefined ? 'missing (the row has no such field)' : 'missing value';
}

export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** A finite number from a cell value, or the reason it is not one. */
export function numberOrReason(v: unknown): number | { reason: string } {
  let x: number;
  if (typeof v === 'number') x = v;
  else if (typeof v === 'bigint') x = Number(v);
  else if (typeof v === 'string' && NUMBER.test(v.trim())) x = Number(v.trim());
  else if (typeof v === 'string' && NON_FINITE.test(v.trim())) x = /nan/i.test(v) ? NaN : Infinity;
  else if (isMissing(v)) return { reason: missingReason(v) };
  else if (typeof v === 'string' && DECIMAL_COMMA.test(v.trim())) {
    // Exports from locales with a decimal comma (usually `;`-separated): say so rather than "not a number".
    return { reason: `not a number (${describeValue(v)}: a decimal comma; export the file with decimal points)` };
  } else return { reason: `not a number (${describeValue(v)})` };
  return Number.isFinite(x) ? x : { reason: `not a finite number (${x})` };
}
