import { Rng, UserError } from '@w2s/core/base';
import type { Protocol } from './config.js';
import type { Speaker, Stance } from './transcript.js';

/** Who speaks at one turn and for which class. */
export interface TurnPlan {
  speaker: Speaker;
  stance: Stance;
}

/**
 * The generator of one example's debate sample: seeded by (debate seed, example id), so a
 * transcript does not depend on which other examples are debated, nor in which order.
 * The plan draws from it first (stance assignment), then the debaters sample from it.
 */
export function exampleRng(seed: number, id: string): Rng {
  return new Rng(seed).fork(`debate/${id}`);
}

/**
 * The turns of one example:
 * - `debate`: A and B alternate (A, B, A, …); A's stance is 0 or 1 with probability ½ each, B has the other;
 * - `consultancy`: one consultant (A) speaks every turn, for a stance drawn at random;
 * - `market-making`: one consultant (A) speaks every turn, for the class the weak model did NOT predict.
 * Every protocol draws the coin, so the debaters' later draws line up across protocols.
 */
export function planTurns(protocol: Protocol, turns: number, rng: Rng, weakPrediction?: number): TurnPlan[] {
  const coin: Stance = rng.uniform() < 0.5 ? 0 : 1;
  if (protocol === 'debate') {
    const other: Stance = coin === 0 ? 1 : 0;
    return Array.from({ length: turns }, (_, t) => (t % 2 === 0 ? { speaker: 'A', stance: coin } : { speaker: 'B', stance: other }));
  }
  let stance: Stance = coin;
  if (protocol === 'market-making') {
    if (weakPrediction !== 0 && weakPrediction !== 1) {
      throw new UserError(`market-making needs the weak model's predicted class (0 or 1), got ${String(weakPrediction)}`, 'weakPredictions');
    }
    stance = weakPrediction === 0 ? 1 : 0;
  }
  return Array.from({ length: turns }, () => ({ speaker: 'A', stance }));
}

/** Checks the per-example inputs every debate runner takes: unique ids, weak predictions for market-making. */
export function checkExamples(ids: readonly string[], protocol: Protocol, weakPredictions?: ArrayLike<number>): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) throw new UserError(`duplicate example id "${id}" (ids key the debate samples and must be unique)`, 'ids');
    seen.add(id);
  }
  if (protocol === 'market-making') {
    if (!weakPredictions) throw new UserError('market-making needs weakPredictions: the plain weak model\'s predicted class per example', 'weakPredictions');
    if (weakPredictions.length !== ids.length) {
      throw new UserError(`has ${weakPredictions.length} entries, expected ${ids.length} (one per example)`, 'weakPredictions');
    }
  }
}
