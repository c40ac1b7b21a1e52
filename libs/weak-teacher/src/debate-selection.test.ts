import { ArtifactCache, initBackend, UserError } from '@w2s/core';
import { parseDebateConfig } from '@w2s/debate';
import { accuracy } from '@w2s/metrics';
import { loadTask, makeSplits } from '@w2s/tasks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectionCandidates, selectOnVal, settingLabel } from './debate-selection.js';
import { labelsOf } from './labels.js';
import { makeWeakLabels } from './make-weak-labels.js';
import { parseWeakLabelsConfig } from './weak-labels-config.js';
import { weakLabelsContext } from './weak-labels-context.js';

const task = loadTask({ name: 'synthetic-linear', n: 600, seed: 3 });
const splits = makeSplits(task, { seed: 0, nDocs: 300, nTest: 200, nVal: 60 });
// Evidence debaters reveal input coordinates, so the strong model reads the inputs (mlp).
const ctx = weakLabelsContext({
  task, splits, seed: 0, cache: new ArtifactCache(mkdtempSync(join(tmpdir(), 'w2s-select-'))),
  weak: { family: 'mlp', size: 'xs' }, strong: { family: 'mlp', size: 'xs' }, train: { weak: { epochs: 3 }, strong: { epochs: 2 } },
});
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => ctx.dispose());

describe('debate settings chosen on val', () => {
  it('the candidates are the listed settings in order; fields a setting leaves out keep the debate config', () => {
    const debate = parseDebateConfig({ turns: 3, featuresPerTurn: 4, temperature: 1 });
    const candidates = selectionCandidates(debate, [{ featuresPerTurn: 2 }, { featuresPerTurn: 4, temperature: 0.3 }, { turns: 1 }]).map(settingLabel);
    expect(candidates).toEqual(['turns 3, featuresPerTurn 2, temperature 1', 'turns 3, featuresPerTurn 4, temperature 0.3', 'turns 1, featuresPerTurn 4, temperature 1']);
  });

  it('keeps the most accurate on val, ties to the first listed, and reads no test label', async () => {
    const debate = parseDebateConfig({});
    const candidates = selectionCandidates(debate, [{ turns: 1 }, { turns: 2 }, { turns: 3 }]);
    const valLabels = labelsOf(task.examples.labels, splits.val);
    // Stand-in label makers: turns 1 → every val label right; 2 → all wrong; 3 → all right again (a tie).
    const probsFor = (right: boolean) => Float32Array.from(Array.from(valLabels).flatMap((y) => ((y === 1) === right ? [0, 1] : [1, 0])));
    const made: number[] = [];
    const testLabels = new Set(splits.test);
    const watched = new Proxy(task.examples.labels, {
      get(target, prop) {
        if (typeof prop === 'string' && /^\d+$/.test(prop) && testLabels.has(Number(prop))) throw new Error('read a test label');
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { best, record } = await selectOnVal({ ...task, examples: { ...task.examples, labels: watched } }, splits, candidates, async (d) => {
      made.push(d.turns);
      return { val: probsFor(d.turns !== 2), numClasses: 2, turns: d.turns };
    });
    expect(made).toEqual([1, 2, 3]);
    expect(best.turns).toBe(1);
    expect(record.candidates.map((c) => c.valAcc)).toEqual([1, 0, 1]);
    expect(record.chosen).toBe(settingLabel({ ...debate, turns: 1 }));
  });

  it('makeWeakLabels with select returns the chosen setting\'s labels, equal to a run of that setting alone', async () => {
    const config = { debate: { protocol: 'debate' as const, turns: 2, featuresPerTurn: 1, temperature: 0 }, select: [{ featuresPerTurn: 1 }, { featuresPerTurn: 3 }] };
    const selected = await makeWeakLabels(ctx, config);
    expect(selected.selection!.candidates.map((c) => c.setting)).toEqual(['turns 2, featuresPerTurn 1, temperature 0', 'turns 2, featuresPerTurn 3, temperature 0']);
    const chosenK = Number(/featuresPerTurn (\d+)/.exec(selected.selection!.chosen)![1]);
    const alone = await makeWeakLabels(ctx, { debate: { ...config.debate, featuresPerTurn: chosenK } });
    expect(Array.from(selected.transfer)).toEqual(Array.from(alone.transfer));
    const valAcc = accuracy({ values: alone.val, numClasses: 2 }, labelsOf(task.examples.labels, splits.val));
    expect(Math.max(...selected.selection!.candidates.map((c) => c.valAcc))).toBe(valAcc);
  }, 120_000);

  it('refuses select without debate, and without a validation split', async () => {
    expect(() => parseWeakLabelsConfig({ select: [{ turns: 1 }, { turns: 2 }] }, 'methods[0].weak')).toThrow(/select: select chooses debate settings: it needs debate/);
    expect(() => parseWeakLabelsConfig({ debate: {}, select: [{ turns: 1 }] }, 'methods[0].weak')).toThrow(/list at least two settings/);
    expect(() => parseWeakLabelsConfig({ debate: {}, select: [{ turns: 1 }, {}] }, 'methods[0].weak')).toThrow(/sets at least one of/);
    const noVal = makeSplits(task, { seed: 0, nDocs: 300, nTest: 200 });
    await expect(selectOnVal(task, noVal, [parseDebateConfig({})], async () => ({ val: new Float32Array(0), numClasses: 2 }))).rejects.toThrow(UserError);
  });
});
