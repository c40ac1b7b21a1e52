import { describe, expect, it } from 'vitest';
import { loadTask } from './registry.js';
import { TEXT_CORPORA, TEXT_TASK_CORPORA, textPretrainCorpus } from './pretrain.js';
import type { Dataset } from './types.js';

describe('textPretrainCorpus', () => {
  const start = performance.now();
  const all = textPretrainCorpus();
  console.log(`text corpora: ${all.length} strings in ${(performance.now() - start).toFixed(0)} ms`);
  const textTasks = Object.keys(TEXT_TASK_CORPORA).map((name) => loadTask(name));

  it('shares no string with any text task (exact-string set intersection, every split of every seed)', () => {
    const corpus = new Set(all);
    expect(corpus.size).toBe(all.length); // distinct strings
    for (const task of textTasks) {
      const shared = task.examples.text!.filter((t) => corpus.has(t));
      expect(shared).toEqual([]);
    }
  });

  it('per task: the in-domain corpus plus Moby Dick, each a subset of the whole', () => {
    const whole = new Set(all);
    const moby = new Set(TEXT_CORPORA['moby-dick']!.load());
    for (const [task, names] of Object.entries(TEXT_TASK_CORPORA)) {
      const corpus = textPretrainCorpus(task);
      expect(corpus.length).toBeGreaterThan(3000);
      for (const t of corpus) expect(whole.has(t)).toBe(true);
      const ownTexts = new Set(loadTask(task).examples.text);
      expect(corpus.filter((t) => ownTexts.has(t))).toEqual([]);
      expect(corpus.filter((t) => moby.has(t)).length).toBeGreaterThan(2000);
      expect(names).toContain('moby-dick');
    }
    // The spam corpus holds emails, the SOTU corpus 19th-century passages: they differ.
    expect(textPretrainCorpus('spam')).not.toEqual(textPretrainCorpus('sotu-party'));
  });

  it('holds the emails that no spam split uses, and pre-1900 SOTU passages', () => {
    const emails = TEXT_CORPORA['spam-emails']!.load();
    expect(emails.length).toBeGreaterThan(1500);
    const early = TEXT_CORPORA['sotu-early']!.load();
    expect(early.some((t) => t.includes('Fellow-Citizens of the Senate and House of Representatives'))).toBe(true);
  });

  it('for a user dataset, leaves out that dataset\'s own texts', () => {
    const stolen = [all[0]!, all[1]!];
    const user: Dataset = {
      name: 'mine',
      modality: 'text',
      numClasses: 2,
      classNames: ['a', 'b'],
      examples: { ids: ['1', '2'], labels: Int32Array.from([0, 1]), text: stolen },
    };
    const corpus = textPretrainCorpus(user);
    expect(corpus.length).toBe(all.length - 2);
    expect(corpus.includes(stolen[0]!)).toBe(false);
  });

  it('names the text tasks when asked for a task without a corpus', () => {
    expect(() => textPretrainCorpus('digits-parity')).toThrow(/no text pretraining corpus for task "digits-parity" \(text tasks: spam, sotu-party/);
  });
});
