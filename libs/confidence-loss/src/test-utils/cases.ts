// Small fixed inputs shared by the value/gradient tests. The expected numbers for them live in the
// tests and were printed by ../../reference/expected.py (numpy float64, independent of this code).

/** Case A: binary, B = 5. p0 = [0.8176, 0.4502, 0.1824, 0.3543, 0.2142], mean y1 = 0.54. */
export const ZA = [[1.2, -0.3], [0.4, 0.6], [-0.7, 0.8], [0.3, 0.9], [-1.5, -0.2]];
export const YA = [[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8], [0.3, 0.7]];

/** Ties: p0 = [0.269, 0.622, 0.5, 0.5, 0.881], mean y1 = 0.25 exactly → τ = 2nd smallest = 0.5 (a tie). */
export const ZT = [[0, 1], [0.5, 0], [0, 0], [0, 0], [2, 0]];
export const YT = [[1, 0], [0.5, 0.5], [0.75, 0.25], [0.5, 0.5], [1, 0]];

/** Case K: 3 classes, B = 4, labels with exact 0 and 1; row 3 has tied top logits. */
export const ZK = [[2, 0.5, -1], [0.1, 0.2, 0.3], [-0.5, 1.5, 0.4], [1, 1, -2]];
export const YK = [[1, 0, 0], [0.2, 0.3, 0.5], [0, 0.6, 0.4], [0.1, 0.1, 0.8]];

/** A second, small batch for the rolling threshold (after case A). */
export const ZR = [[0.3, 0.1], [0.2, 0.1]];
export const YR = [[0.4, 0.6], [0, 1]];
