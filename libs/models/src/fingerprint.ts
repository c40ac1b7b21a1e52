import { createHash, type Hash } from 'node:crypto';
import type { Dataset } from '@w2s/tasks';

// Content fingerprints for cache keys. Hashing megabytes of pixels through JSON would be slow,
// so typed arrays go into sha256 as raw bytes. Results are memoized per object: datasets are
// read-only once loaded (see @w2s/tasks).
const memo = new WeakMap<object, string>();

type Part = string | number | ArrayBufferView | readonly string[] | undefined;

function update(hash: Hash, part: Part): void {
  if (part === undefined) hash.update('\u0000undefined');
  else if (typeof part === 'string') hash.update(`\u0000s${part.length}:`).update(part);
  else if (typeof part === 'number') hash.update(`\u0000n${part}`);
  else if (ArrayBuffer.isView(part)) {
    hash.update(`\u0000b${part.byteLength}:`).update(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
  } else {
    hash.update(`\u0000a${part.length}:`);
    for (const s of part) update(hash, s);
  }
}

/** sha256 (hex, first 24 chars) of the parts, in order, each length-prefixed. */
export function hashParts(parts: Part[]): string {
  const hash = createHash('sha256');
  for (const p of parts) update(hash, p);
  return hash.digest('hex').slice(0, 24);
}

/** hashParts, memoized on `owner`. */
export function memoHash(owner: object, parts: () => Part[]): string {
  let h = memo.get(owner);
  if (h === undefined) {
    h = hashParts(parts());
    memo.set(owner, h);
  }
  return h;
}

/**
 * What a model can see of a task: ids and inputs (x, text, embedding columns), never the labels,
 * so relabelling a task does not invalidate its cached features.
 */
export function datasetInputsFingerprint(task: Dataset): string {
  return memoHash(task.examples, () => {
    const e = task.examples;
    const columns = Object.keys(e.embeddings ?? {}).sort();
    const parts: Part[] = [task.name, task.modality, e.ids, e.x, e.dim, e.shape?.join('x'), e.text];
    for (const c of columns) parts.push(c, e.embeddings![c]!.dim, e.embeddings![c]!.values);
    return parts;
  });
}

/** Fingerprint of a set of example indices (a split). */
export function indicesFingerprint(indices: Int32Array): string {
  return hashParts([indices]);
}
