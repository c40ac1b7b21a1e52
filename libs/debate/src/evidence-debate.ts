import { UserError } from '@w2s/core/base';
import type { DebateConfig } from './config.js';
import { checkExamples, exampleRng, planTurns } from './protocol.js';
import { pickTopK } from './sampling.js';
import type { EvidenceTranscript, EvidenceTurn } from './transcript.js';

/**
 * The strong model's judgement of partially revealed inputs: what the embedded debaters consult.
 * An example is its position in the `ids` given to runEvidenceDebate. A feature is a unit the
 * debaters can reveal (a coordinate of a vector, a patch of an image, a token of a text).
 */
export interface EvidenceJudge {
  /** How many features example `example` has. */
  numFeatures(example: number): number;
  /**
   * P(class 1) under the strong model when only the features set in each mask are revealed
   * (mask[f] = 1), one probability per mask. Called with 1 + (unrevealed features) masks at once,
   * so a judge can score them as one batch.
   */
  scoreReveals(example: number, masks: readonly Uint8Array[]): Float32Array | Promise<Float32Array>;
}

export interface EvidenceDebateInput {
  /** Example ids, unique; transcripts come back in this order. */
  ids: readonly string[];
  judge: EvidenceJudge;
  /** The debate seed: one debate sample per seed. */
  seed: number;
  /** market-making only: the plain weak model's predicted class (0 or 1) per example. */
  weakPredictions?: ArrayLike<number>;
  onProgress?: (done: number, total: number) => void;
}

/** Keeps log-odds finite when a judge is certain. */
const PROB_EPS = 1e-6;

function logOdds(p: number): number {
  const q = Math.min(Math.max(p, PROB_EPS), 1 - PROB_EPS);
  return Math.log(q / (1 - q));
}

/**
 * Evidence debate (Irving, Christiano & Amodei 2018): at each turn the speaker reveals k features
 * that most raise the strong judge's log-odds of its stance, given everything revealed so far by
 * both sides. gain(f) = s · (logit P₁(revealed ∪ {f}) − logit P₁(revealed)), s = +1 for stance 1,
 * −1 for stance 0; features are picked by `pickTopK` (argmax at temperature 0, softmax samples
 * above). A revealed feature stays revealed and is never picked again.
 */
export async function runEvidenceDebate(config: DebateConfig, input: EvidenceDebateInput): Promise<EvidenceTranscript[]> {
  if (config.debater.kind !== 'embedded') {
    throw new UserError(`runEvidenceDebate needs debater.kind "embedded", got "${config.debater.kind}" (use runLlmDebate)`, 'debater.kind');
  }
  const { ids, judge, seed } = input;
  checkExamples(ids, config.protocol, input.weakPredictions);
  const greedy = config.debater.selection === 'greedy';
  const transcripts: EvidenceTranscript[] = [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const rng = exampleRng(seed, id);
    const plan = planTurns(config.protocol, config.turns, rng, input.weakPredictions?.[i]);
    const numFeatures = judge.numFeatures(i);
    if (!Number.isInteger(numFeatures) || numFeatures < 0) throw new Error(`judge.numFeatures(${i}) returned ${numFeatures}`);
    const revealed = new Uint8Array(numFeatures);
    const turns: EvidenceTurn[] = [];
    for (const { speaker, stance } of plan) {
      const sign = stance === 1 ? 1 : -1;
      const features: number[] = [];
      const rounds = greedy ? config.featuresPerTurn : 1;
      const perRound = greedy ? 1 : config.featuresPerTurn;
      for (let r = 0; r < rounds; r++) {
        const candidates: number[] = [];
        for (let f = 0; f < numFeatures; f++) if (!revealed[f]) candidates.push(f);
        if (candidates.length === 0) break;
        const masks = [revealed.slice(), ...candidates.map((f) => withFeature(revealed, f))];
        const probs = await judge.scoreReveals(i, masks);
        checkProbs(probs, masks.length, id);
        const base = logOdds(probs[0]!);
        const gains = candidates.map((_, j) => sign * (logOdds(probs[j + 1]!) - base));
        for (const pos of pickTopK(gains, perRound, config.temperature, rng)) {
          const f = candidates[pos]!;
          revealed[f] = 1;
          features.push(f);
        }
      }
      turns.push({ speaker, stance, features });
    }
    transcripts.push({ kind: 'evidence', id, protocol: config.protocol, seed, turns });
    input.onProgress?.(i + 1, ids.length);
  }
  return transcripts;
}

function withFeature(revealed: Uint8Array, f: number): Uint8Array {
  const mask = revealed.slice();
  mask[f] = 1;
  return mask;
}

function checkProbs(probs: Float32Array, expected: number, id: string): void {
  if (probs.length !== expected) throw new Error(`judge.scoreReveals for example "${id}" returned ${probs.length} probabilities for ${expected} masks`);
  for (let j = 0; j < probs.length; j++) {
    const p = probs[j]!;
    if (!(p >= 0 && p <= 1)) throw new Error(`judge.scoreReveals for example "${id}" returned ${p} at mask ${j}; expected P(class 1) in [0, 1]`);
  }
}
