import { describe, expect, it } from 'vitest';
import { loadTask } from '../registry.js';
import { splitSentences, toPassages, wordCount } from './passages.js';
import { loadSotuData, SOTU_FIRST_TASK_YEAR, SOTU_MAX_PASSAGES_PER_ADDRESS, SOTU_MIN_WORDS } from './sotu.js';

describe('passages', () => {
  it('splits sentences but not after Mr., St., initials or U.S.', () => {
    const text = 'Mr. President, Mr. Speaker: the U.S. Navy grew. Harry S. Truman spoke! Did he? "Yes." 12 ships sailed.';
    expect(splitSentences(text)).toEqual([
      'Mr. President, Mr. Speaker: the U.S. Navy grew.',
      'Harry S. Truman spoke!',
      'Did he?',
      '"Yes."',
      '12 ships sailed.',
    ]);
  });

  it('groups whole sentences into passages of at least minWords words', () => {
    const sentence = (k: number) => `${'Word '.repeat(k - 1)}end.`;
    const text = [sentence(3), sentence(4), sentence(2), sentence(5), sentence(1)].join(' ');
    const passages = toPassages(text, 6);
    expect(passages.map(wordCount)).toEqual([7, 8]); // 3+4, then 2+5+1 (the short tail joins the last)
    expect(passages.join(' ')).toBe(text);
  });
});

describe('sotu-party task', () => {
  const start = performance.now();
  const task = loadTask('sotu-party');
  const ms = performance.now() - start;
  console.log(`sotu-party: loaded in ${ms.toFixed(0)} ms`);

  it('loads offline in under 10 s and is cached', () => {
    expect(ms).toBeLessThan(10_000);
    expect(loadTask('sotu-party')).toBe(task);
  });

  it('passages of ≥ 80 words from 1900 on, Democratic vs Republican, both well represented', () => {
    const n = task.examples.labels.length;
    expect(task.classNames).toEqual(['Democratic', 'Republican']);
    expect(n).toBeGreaterThan(5000);
    const rep = task.examples.labels.reduce((a, y) => a + y, 0);
    console.log(`sotu-party: ${n - rep} Democratic, ${rep} Republican passages`);
    expect(rep / n).toBeGreaterThan(0.4);
    expect(rep / n).toBeLessThan(0.6);
    for (const text of task.examples.text!) expect(wordCount(text)).toBeGreaterThanOrEqual(SOTU_MIN_WORDS);
    expect(new Set(task.examples.text).size).toBe(n);
    expect(new Set(task.examples.ids).size).toBe(n);
  });

  it('every address is from the task years, has one party, and gives at most 60 passages', () => {
    const perAddress = new Map<string, { count: number; labels: Set<number> }>();
    task.examples.groups!.forEach((address, i) => {
      const entry = perAddress.get(address) ?? { count: 0, labels: new Set<number>() };
      entry.count++;
      entry.labels.add(task.examples.labels[i]!);
      perAddress.set(address, entry);
    });
    expect(perAddress.size).toBeGreaterThan(110);
    for (const [address, entry] of perAddress) {
      expect(Number(address.slice(0, 4))).toBeGreaterThanOrEqual(SOTU_FIRST_TASK_YEAR);
      expect(entry.count).toBeLessThanOrEqual(SOTU_MAX_PASSAGES_PER_ADDRESS);
      expect(entry.labels.size).toBe(1);
    }
    // Known speakers: the label is the speaker's party.
    const partyOf = (speaker: string) => {
      const i = task.examples.groups!.findIndex((g) => g.endsWith(speaker));
      return task.classNames[task.examples.labels[i]!];
    };
    expect(partyOf('Franklin D Roosevelt')).toBe('Democratic');
    expect(partyOf('Ronald Reagan')).toBe('Republican');
  });

  it('the pretraining passages (before 1900) are many and share no text with the task', () => {
    const { pretrainTexts } = loadSotuData();
    expect(pretrainTexts.length).toBeGreaterThan(5000);
    const taskTexts = new Set(task.examples.text);
    expect(pretrainTexts.filter((t) => taskTexts.has(t))).toEqual([]);
  });
});
