// @w2s/core/base: the part of core that loads no tensor library — errors, hashing, the seeded
// RNG, atomic writes, the artifact cache. Libs without tensors (metrics, tasks, debate) import
// this entry, so importing them (or installing them from npm) does not load tfjs.
export { UserError, isUserError } from './errors.js';
export { stableStringify, contentHash } from './hash.js';
export { Rng } from './rng.js';
export { writeFileAtomic, writeJsonAtomic, publishDirAtomic, type PublishOptions } from './atomic.js';
export { ArtifactCache, ARTIFACT_MARKER, CORRUPT_DIR, verifyArtifactDir, type ArtifactRecord } from './cache.js';
export { findWorkspaceRoot } from './workspace.js';
