// Every loss, policy and schedule as a config, for tests that must cover them all.
const LOGCONF_BINARY = (['step', 'linear'] as const).flatMap((warmup) =>
  (['prior-quantile', 'median', 'fixed', 'rolling'] as const).map((threshold) => ({ name: 'logconf', warmup, threshold, bufferSize: 8 })),
);

/** Configs valid for K = 3 (binary-only thresholds excluded). */
export const MULTICLASS_CONFIGS: Record<string, unknown>[] = [
  { name: 'xent' },
  { name: 'logconf', threshold: 'fixed' },
  { name: 'logconf', threshold: 'fixed', warmup: 'linear', auxCoef: 1 },
  { name: 'product' },
  { name: 'product', alpha: 2, beta: 0.5 },
  { name: 'product', alpha: 0, beta: 0 },
  { name: 'bootstrap', mode: 'soft' },
  { name: 'bootstrap', mode: 'hard' },
  { name: 'window' },
  { name: 'window', radius: 0.5 },
  { name: 'entropy' },
  { name: 'entropy', auxCoef: 1, warmup: 'linear' },
  { name: 'adaptconf' },
  { name: 'adaptconf', temperature: 2, warmupFrac: 0.25 },
];

/** Configs valid for K = 2: all of the above plus every binary threshold policy. */
export const BINARY_CONFIGS: Record<string, unknown>[] = [...MULTICLASS_CONFIGS, ...LOGCONF_BINARY];
