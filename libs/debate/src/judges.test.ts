import { describe, expect, it } from 'vitest';
import { parseDebateConfig } from './config.js';
import { runEvidenceDebate } from './evidence-debate.js';
import { maskedInputJudge, maskedTextJudge, revealedText } from './judges.js';
import { coordinateUnits, patchUnits, wordTokens } from './units.js';

const masks = (...rows: string[]) => rows.map((r) => Uint8Array.from(r, Number));

describe('feature units', () => {
  it('coordinateUnits: one feature per coordinate', () => {
    expect(coordinateUnits(3)).toEqual({ inputDim: 3, members: [[0], [1], [2]] });
  });

  it('patchUnits: 4×4 patches of a 28×28 digit are 49 features of 16 pixels, covering each pixel once', () => {
    const units = patchUnits([28, 28, 1], 4);
    expect(units.inputDim).toBe(784);
    expect(units.members).toHaveLength(49);
    expect(units.members.every((m) => m.length === 16)).toBe(true);
    // Feature 8 = patch row 1, column 1: pixels y, x in 4..7, i.e. 4·28+4 = 116 … 7·28+7 = 203.
    expect(units.members[8]![0]).toBe(116);
    expect(units.members[8]![15]).toBe(203);
    const all = units.members.flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 784 }, (_, i) => i));
  });

  it('patchUnits: clipped border patches and every channel of a pixel', () => {
    const units = patchUnits([5, 5, 2], 2);
    expect(units.members).toHaveLength(9);
    // Patch (0, 0): pixels (0,0), (0,1), (1,0), (1,1), each with channels 0 and 1: (y·5 + x)·2 + c.
    expect(units.members[0]).toEqual([0, 1, 2, 3, 10, 11, 12, 13]);
    // Patch (2, 2): only pixel (4, 4) → 48, 49.
    expect(units.members[8]).toEqual([48, 49]);
    expect(() => patchUnits([28, 28, 1], 0)).toThrow('patch: must be a positive integer, got 0');
  });

  it('wordTokens splits on whitespace', () => {
    expect(wordTokens('  a  great\tfilm\n')).toEqual(['a', 'great', 'film']);
  });
});

describe('maskedInputJudge', () => {
  it('shows revealed features with the example values and the baseline elsewhere, in one batch', async () => {
    const seen: { rows: number[]; n: number }[] = [];
    const judge = maskedInputJudge({
      x: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]), // two examples, dim 4
      units: { inputDim: 4, members: [[0, 1], [2], [3]] },
      baseline: Float32Array.from([-1, -2, -3, -4]),
      predict: (rows, n) => {
        seen.push({ rows: Array.from(rows), n });
        return Float32Array.from({ length: 2 * n }, (_, i) => (i % 2 ? 0.25 * (i >> 1) : 1 - 0.25 * (i >> 1)));
      },
    });
    expect(judge.numFeatures(0)).toBe(3);
    const p = await judge.scoreReveals(1, masks('000', '100', '011'));
    expect(seen).toEqual([{ n: 3, rows: [-1, -2, -3, -4, 5, 6, -3, -4, -1, -2, 7, 8] }]);
    expect(Array.from(p)).toEqual([0, 0.25, 0.5]); // the class-1 column of the rows
  });

  it('rejects mismatched shapes and non-binary predictions', async () => {
    expect(() => maskedInputJudge({ x: new Float32Array(5), units: coordinateUnits(2), predict: () => new Float32Array() })).toThrow(
      'maskedInputJudge: x: has 5 values, not a multiple of units.inputDim = 2',
    );
    const judge = maskedInputJudge({ x: new Float32Array(2), units: coordinateUnits(2), predict: (_, n) => new Float32Array(3 * n) });
    await expect(judge.scoreReveals(0, masks('00'))).rejects.toThrow('expected probability rows [n × 2] (binary tasks only)');
  });

  it('drives a debate with a linear strong model: each side reveals its strongest coordinates', async () => {
    // Strong model logit = w·x with hidden coordinates at 0; the example x = [1, 1, 1, 1, 1].
    const w = [2, -1, 0.5, -3, 1.5];
    const judge = maskedInputJudge({
      x: Float32Array.from([1, 1, 1, 1, 1]),
      units: coordinateUnits(5),
      predict: (rows, n) => {
        const out = new Float32Array(2 * n);
        for (let j = 0; j < n; j++) {
          const logit = w.reduce((s, wi, i) => s + wi * rows[j * 5 + i]!, 0);
          out[2 * j + 1] = 1 / (1 + Math.exp(-logit));
          out[2 * j] = 1 - out[2 * j + 1]!;
        }
        return out;
      },
    });
    const config = parseDebateConfig({ protocol: 'market-making', turns: 1, featuresPerTurn: 2, temperature: 0 });
    const [forOne] = await runEvidenceDebate(config, { ids: ['x'], judge, seed: 0, weakPredictions: [0] });
    expect(forOne!.turns[0]!.features).toEqual([0, 4]); // +2, +1.5
    const [forZero] = await runEvidenceDebate(config, { ids: ['x'], judge, seed: 0, weakPredictions: [1] });
    expect(forZero!.turns[0]!.features).toEqual([3, 1]); // −3, −1
  });
});

describe('maskedTextJudge', () => {
  it('judges the text of the revealed tokens, with at most maxFeatures features', async () => {
    const seen: string[][] = [];
    const judge = maskedTextJudge({
      texts: ['a truly great film', 'dull'],
      maxFeatures: 3,
      predictTexts: (texts) => {
        seen.push(texts);
        return Float32Array.from(texts.flatMap((t) => (t.includes('great') ? [0.1, 0.9] : [0.6, 0.4])));
      },
    });
    expect(judge.tokens).toEqual([['a', 'truly', 'great', 'film'], ['dull']]);
    expect([judge.numFeatures(0), judge.numFeatures(1)]).toEqual([3, 1]);
    const p = await judge.scoreReveals(0, masks('000', '001', '110'));
    expect(seen).toEqual([['', 'great', 'a truly']]);
    expect(Array.from(p).map((v) => +v.toFixed(2))).toEqual([0.4, 0.9, 0.4]);
  });

  it('revealedText can keep a placeholder for hidden tokens', () => {
    expect(revealedText(['a', 'b', 'c'], [1, 0, 1], '_')).toBe('a _ c');
    expect(revealedText(['a', 'b', 'c'], [0, 1], '')).toBe('b');
  });
});
