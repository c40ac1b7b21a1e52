import { UserError } from '@w2s/core/base';
import type { EvidenceTranscript, Speaker, TextTranscript, Transcript } from './transcript.js';
import type { FeatureUnits } from './units.js';

/**
 * How a weak model consumes a transcript.
 * Vectors and images: two extra channels per input coordinate,
 *   mask   = +1 where a feature was revealed by the side arguing for class 1, −1 for class 0, 0 if hidden;
 *   values = the input's value where revealed, 0 where hidden.
 * Texts: the transcript as text, appended to the input text.
 */

/** The signed mask in feature space: numFeatures long, +1 / −1 / 0 as above. */
export function evidenceMask(transcript: EvidenceTranscript, numFeatures: number): Float32Array {
  const mask = new Float32Array(numFeatures);
  for (const turn of transcript.turns) {
    for (const f of turn.features) {
      if (!(Number.isInteger(f) && f >= 0 && f < numFeatures)) {
        throw new UserError(`feature ${f} is outside 0..${numFeatures - 1}: the transcript was made with other feature units`, `transcript "${transcript.id}"`);
      }
      mask[f] = turn.stance === 1 ? 1 : -1;
    }
  }
  return mask;
}

/** The two channels of one example in input space (each units.inputDim long); `x` is its input row. */
export function encodeEvidence(transcript: EvidenceTranscript, units: FeatureUnits, x: ArrayLike<number>): { mask: Float32Array; values: Float32Array } {
  if (x.length !== units.inputDim) throw new UserError(`has ${x.length} values, expected units.inputDim = ${units.inputDim}`, `encodeEvidence: x of "${transcript.id}"`);
  const featureMask = evidenceMask(transcript, units.members.length);
  const mask = new Float32Array(units.inputDim);
  const values = new Float32Array(units.inputDim);
  featureMask.forEach((sign, f) => {
    if (sign === 0) return;
    for (const c of units.members[f]!) {
      mask[c] = sign;
      values[c] = x[c]!;
    }
  });
  return { mask, values };
}

export interface EvidenceInputs {
  /** Row-major n × dim. */
  x: Float32Array;
  dim: number;
  shape: number[];
}

/**
 * The weak model's inputs with the transcripts: each example's x with the mask and values channels
 * appended. Vectors [d] become [3d] = [x, mask, values]; channel-last images [h, w, c] become
 * [h, w, 2c + 1]: per pixel its c channels, then the mask, then the c revealed values.
 * Transcripts in row order. Image features must cover whole pixels (as patchUnits' do).
 */
export function evidenceInputs(input: { x: Float32Array; shape: readonly number[]; transcripts: readonly EvidenceTranscript[]; units: FeatureUnits }): EvidenceInputs {
  const { x, shape, transcripts, units } = input;
  const dim = shape.reduce((a, b) => a * b, 1);
  if (dim !== units.inputDim) throw new UserError(`shape [${shape.join(', ')}] has ${dim} values per example, units.inputDim is ${units.inputDim}`, 'evidenceInputs');
  const n = transcripts.length;
  if (x.length !== n * dim) throw new UserError(`x has ${x.length} values, expected ${n} transcripts × ${dim}`, 'evidenceInputs');
  const image = shape.length === 3;
  const channels = image ? shape[2]! : dim; // a vector is one "pixel" with dim channels
  const pixels = dim / channels;
  const outChannels = image ? 2 * channels + 1 : 3 * dim;
  const outDim = pixels * outChannels;
  const out = new Float32Array(n * outDim);
  for (let i = 0; i < n; i++) {
    const row = x.subarray(i * dim, (i + 1) * dim);
    const { mask, values } = encodeEvidence(transcripts[i]!, units, row);
    const base = i * outDim;
    if (!image) {
      out.set(row, base);
      out.set(mask, base + dim);
      out.set(values, base + 2 * dim);
      continue;
    }
    for (let p = 0; p < pixels; p++) {
      const o = base + p * outChannels;
      for (let c = 0; c < channels; c++) {
        out[o + c] = row[p * channels + c]!;
        out[o + channels + 1 + c] = values[p * channels + c]!;
      }
      out[o + channels] = mask[p * channels]!;
    }
  }
  return { x: out, dim: outDim, shape: image ? [shape[0]!, shape[1]!, outChannels] : [outDim] };
}

function speakerName(transcript: Transcript, speaker: Speaker): string {
  return transcript.protocol === 'debate' ? `Debater ${speaker}` : 'Consultant';
}

function checkClassNames(classNames: readonly string[]): void {
  if (classNames.length !== 2) throw new UserError(`debate supports binary tasks: expected 2 class names, got ${classNames.length}`, 'classNames');
}

/** An evidence debate over a text, as text: one line per turn with the tokens it revealed. */
export function evidenceText(transcript: EvidenceTranscript, tokens: readonly string[], classNames: readonly string[]): string {
  checkClassNames(classNames);
  return transcript.turns
    .map((turn) => {
      const words = turn.features.map((f) => {
        const token = tokens[f];
        if (token === undefined) throw new UserError(`feature ${f} is not a token of the text (${tokens.length} tokens)`, `transcript "${transcript.id}"`);
        return token;
      });
      return `${speakerName(transcript, turn.speaker)} (for "${classNames[turn.stance]}") reveals: ${words.join(' ')}`;
    })
    .join('\n');
}

/** A text debate as text: one paragraph per turn. */
export function transcriptText(transcript: TextTranscript, classNames: readonly string[]): string {
  checkClassNames(classNames);
  return transcript.turns.map((turn) => `${speakerName(transcript, turn.speaker)} (for "${classNames[turn.stance]}"): ${turn.text}`).join('\n\n');
}

/**
 * Each side's arguments as one text: [arguments for class 0, arguments for class 1], turns in
 * order. For an evidence debate over a text, an argument is the words it revealed (`tokens`: the
 * words the judge split the text into). A weak model can read the two texts separately, so it
 * knows which side said what even when it reads a text as a bag of words.
 */
export function stanceTexts(transcript: Transcript, tokens?: readonly string[]): [string, string] {
  const sides: [string[], string[]] = [[], []];
  for (const turn of transcript.turns) {
    if ('text' in turn) {
      sides[turn.stance].push(turn.text);
      continue;
    }
    if (!tokens) throw new UserError('an evidence transcript needs the tokens of its text', `transcript "${transcript.id}"`);
    for (const f of turn.features) {
      const token = tokens[f];
      if (token === undefined) throw new UserError(`feature ${f} is not a token of the text (${tokens.length} tokens)`, `transcript "${transcript.id}"`);
      sides[turn.stance].push(token);
    }
  }
  return [sides[0].join(' '), sides[1].join(' ')];
}

/** Separates an input text from its transcript in the weak model's input. */
export const TRANSCRIPT_SEPARATOR = '\n\n--- debate ---\n';

/** The weak model's text input: the example's text, the separator, the transcript text. */
export function appendTranscript(inputText: string, transcriptText: string): string {
  return `${inputText}${TRANSCRIPT_SEPARATOR}${transcriptText}`;
}
