// @w2s/runner: manifest → plan → execute → Arrow tables and report (the `w2s` CLI is src/cli.ts).
export { ManifestSchema, MethodSchema, LadderSchema, loadManifest, manifestJsonSchema } from './manifest.js';
export type { Manifest, Method, Ladder, LoadedManifest } from './manifest.js';
export { planExperiment, type Plan, type Cell, type Stage } from './plan.js';
export { runExperiment, resultsDir, type RunOptions, type RunOutcome } from './run.js';
export { runColumns, predictionColumns, curveColumns, type RunRow } from './results.js';
