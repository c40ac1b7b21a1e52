import { ArtifactCache, initBackend } from '@w2s/core';
import type { Classifier } from '@w2s/models';
import { loadTask, makeSplits } from '@w2s/tasks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWeakLabels } from '../make-weak-labels.js';
import { weakLabelsContext } from '../weak-labels-context.js';
import { crossFittedJudges } from './judges.js';

const task = loadTask({ name: 'synthetic-linear', n: 600, seed: 3 });
const splits = makeSplits(task, { seed: 0, nDocs: 300, nTest: 200, nVal: 50 });
const embedding = (size: string) => ({ family: 'embedding' as const, size, column: size, mode: 'probe' as const, head: 'linear' as const });
const ctx = weakLabelsContext({
  task, splits, seed: 0, cache: new ArtifactCache(mkdtempSync(join(tmpdir(), 'w2s-judges-'))),
  weak: embedding('weak'), strong: embedding('strong'), train: { weak: { epochs: 5 } },
});
const debated = Int32Array.from([...splits['weak-train'], ...splits.transfer, ...splits.val, ...splits.test]).sort();
const noJudge = { dispose: () => undefined } as Classifier;

beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => ctx.dispose());

/** Runs crossFittedJudges with a stand-in trainer that records what each judge would learn. */
async function judgeInputs(judge: 'elicited' | 'gt') {
  const seen: { examples: number[]; targets: Float32Array }[] = [];
  const judges = await crossFittedJudges(ctx, debated, judge, async (examples, targets) => {
    seen.push({ examples: Array.from(examples), targets });
    return noJudge;
  });
  return { seen, judgeOf: judges.judgeOf };
}

describe('crossFittedJudges', () => {
  it('elicited: the judges learn the plain weak model\'s soft labels of transfer, and never argue an example whose label they learned', async () => {
    const { seen, judgeOf } = await judgeInputs('elicited');
    expect(seen).toHaveLength(2);
    expect([...seen[0]!.examples, ...seen[1]!.examples].sort((a, b) => a - b)).toEqual(Array.from(splits.transfer));
    const plain = await makeWeakLabels(ctx, undefined);
    const rowOf = new Map(Array.from(splits.transfer, (i, r) => [i, r]));
    for (const { examples, targets } of seen) {
      examples.forEach((i, r) => expect(Array.from(targets.subarray(2 * r, 2 * r + 2))).toEqual(Array.from(plain.transfer.subarray(2 * rowOf.get(i)!, 2 * rowOf.get(i)! + 2))));
    }
    debated.forEach((i, r) => {
      const fold = seen.findIndex((s) => s.examples.includes(i));
      expect(judgeOf(r)).toBe(fold === -1 ? 2 : 1 - fold);
    });
  });

  it('gt: the judges learn weak-train ground truth (one-hot), cross-fitted over weak-train', async () => {
    const { seen, judgeOf } = await judgeInputs('gt');
    expect([...seen[0]!.examples, ...seen[1]!.examples].sort((a, b) => a - b)).toEqual(Array.from(splits['weak-train']));
    for (const { examples, targets } of seen) {
      examples.forEach((i, r) => expect(Array.from(targets.subarray(2 * r, 2 * r + 2))).toEqual(task.examples.labels[i] === 1 ? [0, 1] : [1, 0]));
    }
    debated.forEach((i, r) => {
      const fold = seen.findIndex((s) => s.examples.includes(i));
      expect(judgeOf(r)).toBe(fold === -1 ? 2 : 1 - fold);
    });
  });
});
