import { UserError } from '@w2s/core/base';
import type { MaybeMetric } from './result.js';

export interface PgrInput {
  /** Test accuracy of the weak teacher (trained on ground truth). */
  readonly weakAcc: number;
  /** Test accuracy of the strong model trained on ground truth (the ceiling). */
  readonly ceilingAcc: number;
  /** Test accuracy of the strong student trained on weak labels. */
  readonly w2sAcc: number;
}

/**
 * Performance gap recovered: (acc_w2s − acc_weak) / (acc_ceiling − acc_weak).
 * Null, with a reason, when acc_ceiling ≤ acc_weak (no gap to recover; compared exactly).
 * Values below 0 (student worse than its teacher) and above 1 (student beats the ceiling) are
 * returned as they are.
 */
export function pgr(input: PgrInput): MaybeMetric {
  for (const name of ['weakAcc', 'ceilingAcc', 'w2sAcc'] as const) {
    const v = input?.[name];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new UserError(`must be an accuracy in [0, 1], got ${String(v)}`, `pgr: ${name}`);
    }
  }
  return pgrUnchecked(input.weakAcc, input.ceilingAcc, input.w2sAcc);
}

/** pgr() without input checks, for the bootstrap's inner loop. */
export function pgrUnchecked(weakAcc: number, ceilingAcc: number, w2sAcc: number): MaybeMetric {
  if (ceilingAcc === weakAcc) {
    return { value: null, reason: `ceiling accuracy equals weak accuracy (${weakAcc}): no gap to recover` };
  }
  if (ceilingAcc < weakAcc) {
    return {
      value: null,
      reason: `ceiling accuracy ${ceilingAcc} is below weak accuracy ${weakAcc}: no gap to recover`,
    };
  }
  return { value: (w2sAcc - weakAcc) / (ceilingAcc - weakAcc) };
}
