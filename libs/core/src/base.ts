// @w2s/core/base: the part of core that loads no tensor library — errors, hashing, the seeded
// RNG, atomic writes, the artifact cache, a JSON client for OpenAI-compatible endpoints. Libs
// without tensors (metrics, tasks, debate) import this entry, so importing them (or installing
// them from npm) does not load tfjs.
export { UserError, isUserError, storageErrorMessage, withPath } from './errors.js';
export { stableStringify, contentHash } from './hash.js';
export { Rng } from './rng.js';
export { writeFileAtomic, writeJsonAtomic, publishDirAtomic, type PublishOptions } from './atomic.js';
export { ArtifactCache, ARTIFACT_MARKER, CORRUPT_DIR, verifyArtifactDir, type ArtifactRecord } from './cache.js';
export { findWorkspaceRoot } from './workspace.js';
export { processAlive } from './process-alive.js';
export { redactSecrets, leaksSecret, displayUrl, MIN_LEAKED_KEY_CHARS } from './http/redact.js';
export { RetryGate, type FailureKind, type RetryGateOptions } from './http/retry-gate.js';
export { Semaphore } from './http/semaphore.js';
export { JsonEndpoint, type JsonEndpointOptions, type EndpointStats, type BodyReading, type ReadBody } from './http/json-endpoint.js';
