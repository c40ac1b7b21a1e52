import type { Protocol } from './config.js';

/** Debater names: A speaks first; B exists only in `debate`. */
export type Speaker = 'A' | 'B';

/** A stance is the class a debater argues for: 0 or 1 (binary tasks). */
export type Stance = 0 | 1;

/** One turn of an evidence debate: the features (units of the judge) the speaker revealed, in pick order. */
export interface EvidenceTurn {
  speaker: Speaker;
  stance: Stance;
  features: number[];
}

/** One turn of a text debate: the speaker's argument. */
export interface TextTurn {
  speaker: Speaker;
  stance: Stance;
  text: string;
}

/** Fields every transcript carries, so a stored transcript says where it came from. */
interface TranscriptBase {
  /** The example's id (as given to the debate). */
  id: string;
  protocol: Protocol;
  /** The debate seed: one debate sample per seed. */
  seed: number;
}

/** Plain JSON: store with JSON.stringify, read back with JSON.parse. */
export interface EvidenceTranscript extends TranscriptBase {
  kind: 'evidence';
  turns: EvidenceTurn[];
}

export interface TextTranscript extends TranscriptBase {
  kind: 'text';
  turns: TextTurn[];
}

export type Transcript = EvidenceTranscript | TextTranscript;
