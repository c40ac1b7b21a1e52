import { describe, expect, it } from 'vitest';
import { studentTCdf, studentTQuantile } from './distributions.js';
import { userErrorMessage } from './test-utils/user-error.js';

describe('Student t distribution', () => {
  it('matches the closed forms for 1 and 2 degrees of freedom', () => {
    // df = 1 (Cauchy): F(t) = 1/2 + atan(t)/π, so t_p = tan(π(p − 1/2)).
    // df = 2: F(t) = 1/2 + t / (2√(2 + t²)), so t_p = (2p − 1) √(2 / (4p(1 − p))).
    for (const p of [0.6, 0.9, 0.95, 0.975, 0.995]) {
      expect(studentTQuantile(p, 1)).toBeCloseTo(Math.tan(Math.PI * (p - 0.5)), 9);
      expect(studentTQuantile(p, 2)).toBeCloseTo((2 * p - 1) * Math.sqrt(2 / (4 * p * (1 - p))), 9);
    }
    for (const t of [-3, -0.5, 0, 0.7, 2.5, 40]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
  });

  it('matches reference quantiles (scipy.stats.t.ppf, scipy 1.17.1)', () => {
    const reference: [df: number, q975: number, q95: number, cdfAt1_5: number][] = [
      [3, 3.1824463052837078, 2.3533634348018233, 0.8847080673775886],
      [4, 2.7764451051977934, 2.1318467863266495, 0.896],
      [9, 2.262157162798205, 1.833112932656237, 0.9160746719714625],
      [30, 2.0422724563012378, 1.697260886593957, 0.927967035435677],
      [200, 1.9718962236339088, 1.6525081009108769, 0.9324043393864826],
    ];
    for (const [df, q975, q95, cdf] of reference) {
      expect(studentTQuantile(0.975, df)).toBeCloseTo(q975, 9);
      expect(studentTQuantile(0.95, df)).toBeCloseTo(q95, 9);
      expect(studentTQuantile(0.025, df)).toBeCloseTo(-q975, 9); // symmetric
      expect(studentTCdf(1.5, df)).toBeCloseTo(cdf, 12);
    }
  });

  it('rejects bad arguments, naming them', () => {
    expect(userErrorMessage(() => studentTQuantile(1, 3))).toMatch(/^studentTQuantile: p: must be in \(0, 1\)/);
    expect(userErrorMessage(() => studentTQuantile(0.9, 0))).toMatch(/^studentTQuantile: df: must be a positive number/);
  });
});
