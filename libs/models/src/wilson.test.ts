import { describe, expect, it } from 'vitest';
import { accuracyWithInterval, wilsonInterval } from './wilson.js';

describe('wilsonInterval', () => {
  it('matches the textbook values', () => {
    // 80/100: statsmodels proportion_confint(80, 100, method="wilson") = (0.71117, 0.86663).
    const a = wilsonInterval(80, 100);
    expect(a.lo).toBeCloseTo(0.711169, 5);
    expect(a.hi).toBeCloseTo(0.866634, 5);
    // 500/1000: symmetric around 0.5, half-width 1.96·sqrt(.25/1000 + 1.96²/4e6)/(1 + 1.96²/1000) = 0.030931.
    const b = wilsonInterval(500, 1000);
    expect(b.lo).toBeCloseTo(0.469069, 5);
    expect(b.hi).toBeCloseTo(0.530931, 5);
  });

  it('stays inside [0, 1] at the extremes', () => {
    // 0/10 and 10/10: [0, 0.27754] and [0.72246, 1] (z²/(n+z²) = 3.8416/13.8416 = 0.27754).
    expect(wilsonInterval(0, 10).lo).toBe(0);
    expect(wilsonInterval(0, 10).hi).toBeCloseTo(0.277540, 5);
    expect(wilsonInterval(10, 10).lo).toBeCloseTo(0.722460, 5);
    expect(wilsonInterval(10, 10).hi).toBe(1);
  });
});

describe('accuracyWithInterval', () => {
  it('counts argmax hits, ties going to the lowest class', () => {
    // rows: [.9,.1]→0 ✓, [.2,.8]→1 ✓, [.5,.5]→0 (tie) vs label 1 ✗, [.6,.4]→0 vs label 1 ✗
    const probs = Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.5, 0.5, 0.6, 0.4]);
    const r = accuracyWithInterval(probs, [0, 1, 1, 1], 2);
    expect(r.accuracy).toBe(0.5);
    expect(r.n).toBe(4);
    expect(r.lo).toBeCloseTo(wilsonInterval(2, 4).lo, 12);
  });
});
