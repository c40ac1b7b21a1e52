import { isUserError } from '@w2s/core/base';
import { describe, expect, it } from 'vitest';
import { parseDebateConfig, type DebateConfigInput } from './config.js';
import { runEvidenceDebate, type EvidenceJudge } from './evidence-debate.js';
import { exampleRng, planTurns } from './protocol.js';

/** A toy strong model: P(class 1) = sigmoid(logit(mask)); records every call's masks. */
function logitJudge(numFeatures: number, logit: (mask: Uint8Array) => number) {
  const calls: Uint8Array[][] = [];
  const judge: EvidenceJudge = {
    numFeatures: () => numFeatures,
    scoreReveals(_example, masks) {
      calls.push(masks.map((m) => m.slice()));
      return Float32Array.from(masks, (m) => 1 / (1 + Math.exp(-logit(m))));
    },
  };
  return { judge, calls };
}

/** Additive evidence: revealing feature f moves the log-odds of class 1 by c[f]. */
const CONTRIBUTIONS = [3, -2, 0.5, -4, 1, 0];
const additive = () => logitJudge(CONTRIBUTIONS.length, (m) => CONTRIBUTIONS.reduce((s, c, f) => s + (m[f] ? c : 0), 0));

const config = (overrides: DebateConfigInput = {}) => parseDebateConfig({ temperature: 0, featuresPerTurn: 2, ...overrides });
const ids = Array.from({ length: 12 }, (_, i) => `ex${i}`);

describe('runEvidenceDebate', () => {
  it('each side reveals the features that most raise the log-odds of its stance (temperature 0)', async () => {
    // Gains for stance 1 are c[f], for stance 0 −c[f]. With k = 2 and turns A, B, A:
    // A for 1 takes {0: +3, 4: +1}; B for 0 takes {3: +4, 1: +2}; A then has {2: 0.5, 5: 0} left.
    // A for 0 takes {3, 1}; B for 1 takes {0, 4}; A then prefers 5 (gain 0) to 2 (gain −0.5).
    const transcripts = await runEvidenceDebate(config(), { ids, judge: additive().judge, seed: 3 });
    const seen = new Set<number>();
    transcripts.forEach((t, i) => {
      const aStance = planTurns('debate', 3, exampleRng(3, ids[i]!))[0]!.stance;
      seen.add(aStance);
      expect(t).toMatchObject({ kind: 'evidence', id: ids[i], protocol: 'debate', seed: 3 });
      expect(t.turns.map((turn) => [turn.speaker, turn.stance])).toEqual([
        ['A', aStance],
        ['B', 1 - aStance],
        ['A', aStance],
      ]);
      const expected = aStance === 1 ? [[0, 4], [3, 1], [2, 5]] : [[3, 1], [0, 4], [5, 2]];
      expect(t.turns.map((turn) => turn.features)).toEqual(expected);
    });
    expect(seen).toEqual(new Set([0, 1])); // both assignments occurred among the 12 examples
  });

  it('each turn sees what was revealed before: the reply depends on the earlier reveal', async () => {
    // logit = 2·[f0] − 3·[f0 ∧ f1] − 1·[f2]. Empty board, stance 0: gains f0 −2, f1 0, f2 +1 → f2.
    // After f0 is revealed, stance 0: f1 gains 3, f2 gains 1 → f1 (f1 rebuts f0).
    const { judge, calls } = logitJudge(3, (m) => 2 * m[0]! - 3 * m[0]! * m[1]! - m[2]!);
    const one = parseDebateConfig({ temperature: 0, featuresPerTurn: 1, turns: 1, protocol: 'market-making' });
    const [consultant] = await runEvidenceDebate(one, { ids: ['q'], judge, seed: 0, weakPredictions: [1] });
    expect(consultant!.turns).toEqual([{ speaker: 'A', stance: 0, features: [2] }]);

    const debate = parseDebateConfig({ temperature: 0, featuresPerTurn: 1 });
    const id = ids.find((x) => planTurns('debate', 3, exampleRng(0, x))[0]!.stance === 1)!;
    calls.length = 0;
    const [t] = await runEvidenceDebate(debate, { ids: [id], judge, seed: 0 });
    expect(t!.turns.map((turn) => turn.features)).toEqual([[0], [1], [2]]);
    // The judge saw: turn 1 the empty board + 3 candidates; turn 2 board {0} + 2; turn 3 board {0, 1} + 1.
    expect(calls.map((masks) => masks.map((m) => Array.from(m).join('')))).toEqual([
      ['000', '100', '010', '001'],
      ['100', '110', '101'],
      ['110', '111'],
    ]);
  });

  it('greedy re-scores after each pick; one-shot scores once per turn', async () => {
    // logit = 2·[f0] + 1.5·[f1] − 2·[f0 ∧ f1] + 0.2·[f2], stance 1, k = 2.
    // One-shot: gains 2, 1.5, 0.2 → {0, 1} (together only +1.5). Greedy: f0, then f1 adds −0.5, f2 +0.2 → {0, 2}.
    const logit = (m: Uint8Array) => 2 * m[0]! + 1.5 * m[1]! - 2 * m[0]! * m[1]! + 0.2 * m[2]!;
    const base = { temperature: 0, featuresPerTurn: 2, turns: 1, protocol: 'market-making' as const };
    const oneShot = logitJudge(3, logit);
    const [a] = await runEvidenceDebate(parseDebateConfig(base), { ids: ['q'], judge: oneShot.judge, seed: 0, weakPredictions: [0] });
    expect(a!.turns[0]).toEqual({ speaker: 'A', stance: 1, features: [0, 1] });
    expect(oneShot.calls.map((c) => c.length)).toEqual([4]);

    const greedy = logitJudge(3, logit);
    const greedyConfig = parseDebateConfig({ ...base, debater: { kind: 'embedded', selection: 'greedy' } });
    const [b] = await runEvidenceDebate(greedyConfig, { ids: ['q'], judge: greedy.judge, seed: 0, weakPredictions: [0] });
    expect(b!.turns[0]!.features).toEqual([0, 2]);
    expect(greedy.calls.map((c) => c.length)).toEqual([4, 3]);
  });

  it('consultancy has one speaker; market-making argues against the weak prediction', async () => {
    const weakPredictions = ids.map((_, i) => i % 2);
    const mm = await runEvidenceDebate(config({ protocol: 'market-making' }), { ids, judge: additive().judge, seed: 1, weakPredictions });
    mm.forEach((t, i) => {
      expect(t.turns.map((turn) => turn.speaker)).toEqual(['A', 'A', 'A']);
      expect(t.turns.every((turn) => turn.stance === 1 - weakPredictions[i]!)).toBe(true);
    });
    // For stance 1 the consultant reveals all three helpful features first: 0 (+3), 4 (+1), 2 (+0.5).
    expect(mm[0]!.turns.map((turn) => turn.features)).toEqual([[0, 4], [2, 5], [1, 3]]);
    const cons = await runEvidenceDebate(config({ protocol: 'consultancy' }), { ids, judge: additive().judge, seed: 1 });
    for (const t of cons) expect(new Set(t.turns.map((turn) => `${turn.speaker}${turn.stance}`)).size).toBe(1);
  });

  it('is deterministic per seed, differs across seeds above temperature 0, and per example independent of the batch', async () => {
    const hot = config({ temperature: 1 });
    const run = (seed: number, which = ids) => runEvidenceDebate(hot, { ids: which, judge: additive().judge, seed });
    const [s0, s0again, s1] = [await run(0), await run(0), await run(1)];
    expect(s0again).toEqual(s0);
    const features = (ts: typeof s0) => ts.map((t) => JSON.stringify(t.turns));
    const differing = features(s0).filter((f, i) => f !== features(s1)[i]).length;
    expect(differing).toBeGreaterThan(6); // of 12 examples
    // Debating ex5 alone gives the same sample as debating it among others.
    expect((await run(0, ['ex5']))[0]).toEqual(s0[5]);
    // At temperature 0 only the stance assignment depends on the seed.
    const cold = await runEvidenceDebate(config(), { ids, judge: additive().judge, seed: 1 });
    cold.forEach((t) => expect(t.turns[0]!.features).toEqual(t.turns[0]!.stance === 1 ? [0, 4] : [3, 1]));
  });

  it('stops revealing when every feature is revealed', async () => {
    const { judge } = logitJudge(3, (m) => m[0]! - m[1]!);
    const [t] = await runEvidenceDebate(config({ featuresPerTurn: 2 }), { ids: ['q'], judge, seed: 0 });
    expect(t!.turns.map((turn) => turn.features.length)).toEqual([2, 1, 0]);
  });

  it('reports progress and rejects bad judges and the wrong debater kind', async () => {
    const progress: number[] = [];
    await runEvidenceDebate(config(), { ids: ['a', 'b'], judge: additive().judge, seed: 0, onProgress: (done) => progress.push(done) });
    expect(progress).toEqual([1, 2]);

    const nan: EvidenceJudge = { numFeatures: () => 2, scoreReveals: (_, masks) => new Float32Array(masks.length).fill(NaN) };
    await expect(runEvidenceDebate(config(), { ids: ['a'], judge: nan, seed: 0 })).rejects.toThrow(
      'judge.scoreReveals for example "a" returned NaN at mask 0; expected P(class 1) in [0, 1]',
    );
    const short: EvidenceJudge = { numFeatures: () => 2, scoreReveals: () => new Float32Array(1) };
    await expect(runEvidenceDebate(config(), { ids: ['a'], judge: short, seed: 0 })).rejects.toThrow('returned 1 probabilities for 3 masks');

    const llm = parseDebateConfig({ debater: { kind: 'llm', baseUrl: 'http://127.0.0.1:1/v1', model: 'm' } });
    const e = await runEvidenceDebate(llm, { ids: ['a'], judge: additive().judge, seed: 0 }).catch((x: unknown) => x);
    expect(isUserError(e)).toBe(true);
    expect((e as Error).message).toMatch(/needs debater.kind "embedded", got "llm"/);
  });
});
