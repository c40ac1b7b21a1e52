/**
 * An axis domain in percent that starts and ends on a multiple of `step` and covers `values`
 * (with at least one step of width), so that Vega's ticks fall on round numbers.
 */
export function roundDomain(values: readonly number[], step = 5, clampTo?: [number, number]): [number, number] {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return clampTo ?? [0, 100];
  let lo = Math.floor(Math.min(...finite) / step) * step;
  let hi = Math.ceil(Math.max(...finite) / step) * step;
  if (hi - lo < step) hi = lo + step;
  if (clampTo) {
    lo = Math.max(lo, clampTo[0]);
    hi = Math.min(hi, clampTo[1]);
  }
  return [lo, hi];
}
