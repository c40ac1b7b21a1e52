import { createHash } from 'node:crypto';
import { datasetInputsFingerprint } from '@w2s/models';
import type { Dataset } from '@w2s/tasks';

const memo = new WeakMap<Dataset, string>();

/** Content key of a dataset for stage keys: what models see (inputs) plus the labels. */
export function datasetKey(dataset: Dataset): string {
  let key = memo.get(dataset);
  if (!key) {
    const labels = dataset.examples.labels;
    key = createHash('sha256')
      .update(datasetInputsFingerprint(dataset))
      .update(new Uint8Array(labels.buffer, labels.byteOffset, labels.byteLength))
      .update(dataset.classNames.join('\u0000'))
      .digest('hex')
      .slice(0, 24);
    memo.set(dataset, key);
  }
  return key;
}
