import { describe, expect, it } from 'vitest';
import { appendTranscript, encodeEvidence, evidenceInputs, evidenceMask, evidenceText, stanceTexts, transcriptText } from './encoding.js';
import type { EvidenceTranscript, TextTranscript } from './transcript.js';
import { coordinateUnits, patchUnits } from './units.js';

const debate: EvidenceTranscript = {
  kind: 'evidence',
  id: 't',
  protocol: 'debate',
  seed: 0,
  turns: [
    { speaker: 'A', stance: 1, features: [2] },
    { speaker: 'B', stance: 0, features: [0] },
    { speaker: 'A', stance: 1, features: [3] },
  ],
};

const f32 = (values: number[]) => Array.from(Float32Array.from(values));

describe('evidence encoding', () => {
  it('evidenceMask: +1 for features argued for class 1, −1 for class 0, 0 hidden', () => {
    expect(Array.from(evidenceMask(debate, 5))).toEqual([-1, 0, 1, 1, 0]);
    expect(() => evidenceMask(debate, 3)).toThrow('transcript "t": feature 3 is outside 0..2: the transcript was made with other feature units');
  });

  it('encodeEvidence: mask and revealed values in input coordinates', () => {
    const units = { inputDim: 6, members: [[0, 1], [2], [3, 4], [5]] };
    const { mask, values } = encodeEvidence(debate, units, [10, 20, 30, 40, 50, 60]);
    expect(Array.from(mask)).toEqual([-1, -1, 0, 1, 1, 1]);
    expect(Array.from(values)).toEqual([10, 20, 0, 40, 50, 60]);
    expect(() => encodeEvidence(debate, units, [1, 2])).toThrow('has 2 values, expected units.inputDim = 6');
  });

  it('evidenceInputs for vectors: [x, mask, values]', () => {
    const out = evidenceInputs({ x: Float32Array.from([1, 2, 3, 4]), shape: [4], transcripts: [debate], units: coordinateUnits(4) });
    expect(out.dim).toBe(12);
    expect(out.shape).toEqual([12]);
    expect(Array.from(out.x)).toEqual([1, 2, 3, 4, -1, 0, 1, 1, 1, 0, 3, 4]);
  });

  it('evidenceInputs for images: two channels more per pixel, channel-last', () => {
    const consult: EvidenceTranscript = { kind: 'evidence', id: 'c', protocol: 'consultancy', seed: 0, turns: [{ speaker: 'A', stance: 1, features: [0, 3] }] };
    const first: EvidenceTranscript = { kind: 'evidence', id: 'd', protocol: 'debate', seed: 0, turns: [{ speaker: 'A', stance: 0, features: [1] }] };
    const x = Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
    const out = evidenceInputs({ x, shape: [2, 2, 1], transcripts: [first, consult], units: patchUnits([2, 2, 1], 1) });
    expect(out.shape).toEqual([2, 2, 3]);
    expect(out.dim).toBe(12);
    // Per pixel: [value, mask, revealed value].
    expect(Array.from(out.x)).toEqual(
      f32([0.1, 0, 0, 0.2, -1, 0.2, 0.3, 0, 0, 0.4, 0, 0, /* second example */ 0.5, 1, 0.5, 0.6, 0, 0, 0.7, 0, 0, 0.8, 1, 0.8]),
    );
  });

  it('evidenceInputs for colour images: c channels, mask, c revealed values', () => {
    // A 1×2 image with 2 channels; feature 1 (the second pixel) revealed for class 1.
    const t: EvidenceTranscript = { kind: 'evidence', id: 'e', protocol: 'consultancy', seed: 0, turns: [{ speaker: 'A', stance: 1, features: [1] }] };
    const out = evidenceInputs({ x: Float32Array.from([1, 2, 3, 4]), shape: [1, 2, 2], transcripts: [t], units: patchUnits([1, 2, 2], 1) });
    expect(out.shape).toEqual([1, 2, 5]);
    expect(Array.from(out.x)).toEqual([1, 2, 0, 0, 0, 3, 4, 1, 3, 4]);
    expect(() => evidenceInputs({ x: new Float32Array(3), shape: [1, 2, 2], transcripts: [t], units: patchUnits([1, 2, 2], 1) })).toThrow(
      'evidenceInputs: x has 3 values, expected 1 transcripts × 4',
    );
  });
});

describe('transcripts as text', () => {
  it('evidenceText lists the revealed tokens of each turn', () => {
    expect(evidenceText(debate, ['the', 'plot', 'was', 'dull'], ['negative', 'positive'])).toBe(
      'Debater A (for "positive") reveals: was\nDebater B (for "negative") reveals: the\nDebater A (for "positive") reveals: dull',
    );
    expect(() => evidenceText(debate, ['the', 'plot', 'was'], ['negative', 'positive'])).toThrow('feature 3 is not a token of the text (3 tokens)');
  });

  it('transcriptText gives one paragraph per turn; appendTranscript joins it to the input', () => {
    const t: TextTranscript = {
      kind: 'text',
      id: 'q',
      protocol: 'consultancy',
      seed: 2,
      turns: [
        { speaker: 'A', stance: 1, text: 'Seven leaves remainder 1.' },
        { speaker: 'A', stance: 1, text: 'Odd numbers end in 7.' },
      ],
    };
    const text = transcriptText(t, ['even', 'odd']);
    expect(text).toBe('Consultant (for "odd"): Seven leaves remainder 1.\n\nConsultant (for "odd"): Odd numbers end in 7.');
    expect(appendTranscript('Is 7 odd?', text)).toBe(`Is 7 odd?\n\n--- debate ---\n${text}`);
    expect(() => transcriptText(t, ['a', 'b', 'c'])).toThrow('classNames: debate supports binary tasks: expected 2 class names, got 3');
  });

  it('stanceTexts splits the arguments by the side that made them', () => {
    // debate: A (class 1) reveals token 2, B (class 0) token 0, A (class 1) token 3.
    expect(stanceTexts(debate, ['the', 'plot', 'was', 'dull'])).toEqual(['the', 'was dull']);
    expect(() => stanceTexts(debate)).toThrow('transcript "t": an evidence transcript needs the tokens of its text');
    expect(() => stanceTexts(debate, ['the', 'plot', 'was'])).toThrow('feature 3 is not a token of the text (3 tokens)');
    const t: TextTranscript = {
      kind: 'text',
      id: 'q',
      protocol: 'debate',
      seed: 0,
      turns: [
        { speaker: 'A', stance: 0, text: 'Even.' },
        { speaker: 'B', stance: 1, text: 'Odd.' },
        { speaker: 'A', stance: 0, text: 'Still even.' },
      ],
    };
    expect(stanceTexts(t)).toEqual(['Even. Still even.', 'Odd.']);
  });
});
