import { UserError } from '@w2s/core/base';
import type { EvidenceJudge } from './evidence-debate.js';
import { wordTokens, type FeatureUnits } from './units.js';

/** The strong model as a batch function: probability rows [n × 2] (row-major) for n inputs. */
export type PredictRows = (rows: Float32Array, n: number) => Float32Array | Promise<Float32Array>;
export type PredictTexts = (texts: string[]) => Float32Array | Promise<Float32Array>;

export interface MaskedInputJudgeOptions {
  /** The debated examples' inputs, row-major n × units.inputDim, in the order of the debate's ids. */
  x: Float32Array;
  units: FeatureUnits;
  /** What a hidden coordinate shows: one value for all (default 0), or a per-coordinate vector (e.g. a mean input). */
  baseline?: number | Float32Array;
  predict: PredictRows;
}

/**
 * A judge for vectors and images: a candidate reveal becomes an input where the revealed
 * features' coordinates hold the example's values and every other coordinate the baseline;
 * the strong model's P(class 1) on it is the judgement. All masks of a call go in one batch.
 */
export function maskedInputJudge(options: MaskedInputJudgeOptions): EvidenceJudge {
  const { x, units, predict } = options;
  const dim = units.inputDim;
  if (x.length % dim !== 0) throw new UserError(`has ${x.length} values, not a multiple of units.inputDim = ${dim}`, 'maskedInputJudge: x');
  const n = x.length / dim;
  const baseline = typeof options.baseline === 'object' ? options.baseline : new Float32Array(dim).fill(options.baseline ?? 0);
  if (baseline.length !== dim) throw new UserError(`has ${baseline.length} values, expected ${dim}`, 'maskedInputJudge: baseline');
  return {
    numFeatures: () => units.members.length,
    async scoreReveals(example, masks) {
      if (!(example >= 0 && example < n)) throw new Error(`maskedInputJudge: example ${example} out of range (${n} rows)`);
      const rows = new Float32Array(masks.length * dim);
      masks.forEach((mask, j) => {
        rows.set(baseline, j * dim);
        for (let f = 0; f < mask.length; f++) {
          if (!mask[f]) continue;
          for (const c of units.members[f]!) rows[j * dim + c] = x[example * dim + c]!;
        }
      });
      return classOneColumn(await predict(rows, masks.length), masks.length, 'maskedInputJudge: predict');
    },
  };
}

export interface MaskedTextJudgeOptions {
  /** The debated examples' texts, in the order of the debate's ids. */
  texts: readonly string[];
  predictTexts: PredictTexts;
  /** Splits a text into the features the debaters reveal (default: whitespace-separated words). */
  tokenize?: (text: string) => string[];
  /** Only the first maxFeatures tokens can be revealed (the rest stay hidden): bounds the cost per turn. */
  maxFeatures?: number;
  /** Stands for a hidden token in the judge's input; '' (default) drops hidden tokens. */
  hiddenToken?: string;
}

/** A text judge, with the tokens it split each text into (to render transcripts with evidenceText). */
export interface TextEvidenceJudge extends EvidenceJudge {
  readonly tokens: string[][];
}

/** A judge for texts: a candidate reveal becomes the text of the revealed tokens only, in order. */
export function maskedTextJudge(options: MaskedTextJudgeOptions): TextEvidenceJudge {
  const tokenize = options.tokenize ?? wordTokens;
  const maxFeatures = options.maxFeatures ?? 64;
  const hidden = options.hiddenToken ?? '';
  const tokens = options.texts.map((t) => tokenize(t));
  return {
    tokens,
    numFeatures: (example) => Math.min(tokens[example]!.length, maxFeatures),
    async scoreReveals(example, masks) {
      const words = tokens[example];
      if (!words) throw new Error(`maskedTextJudge: example ${example} out of range (${tokens.length} texts)`);
      const texts = masks.map((mask) => revealedText(words, mask, hidden));
      return classOneColumn(await options.predictTexts(texts), masks.length, 'maskedTextJudge: predictTexts');
    },
  };
}

/** The text a judge sees: revealed tokens kept, hidden ones replaced by `hiddenToken` (or dropped if ''). */
export function revealedText(tokens: readonly string[], mask: ArrayLike<number>, hiddenToken = ''): string {
  const out: string[] = [];
  tokens.forEach((token, f) => {
    if (f < mask.length && mask[f]) out.push(token);
    else if (hiddenToken) out.push(hiddenToken);
  });
  return out.join(' ');
}

function classOneColumn(probs: Float32Array, n: number, where: string): Float32Array {
  if (probs.length !== 2 * n) {
    throw new Error(`${where} returned ${probs.length} values for ${n} inputs; expected probability rows [n × 2] (binary tasks only)`);
  }
  const p1 = new Float32Array(n);
  for (let j = 0; j < n; j++) p1[j] = probs[2 * j + 1]!;
  return p1;
}
