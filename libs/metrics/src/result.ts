/**
 * A metric that can be undefined for a given input (AUROC with one class absent, PGR with no
 * gap to recover): either a number, or null with a reason a report can print.
 */
export type MaybeMetric = { value: number; reason?: undefined } | { value: null; reason: string };
