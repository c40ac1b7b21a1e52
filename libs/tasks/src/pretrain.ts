/**
 * Pretraining data, kept apart from every task split.
 * - digitPretrainSet(): the 40 % MNIST pretraining split with digit identity as label.
 * - textPretrainCorpus(task?): unlabeled strings for self-supervised text pretraining.
 */
import { UserError } from '@w2s/core/base';
import { loadMobyDickParagraphs, MOBY_DICK_PACKAGE } from './builtin/moby-dick.js';
import { loadSotuData, loadSotuTask, SOTU_FIRST_TASK_YEAR, SOTU_PACKAGE } from './builtin/sotu.js';
import { loadSpamData, loadSpamTask, SPAM_PACKAGE } from './builtin/spam.js';
import type { Dataset } from './types.js';

export { digitPretrainSet } from './builtin/digits.js';

export interface TextCorpus {
  name: string;
  description: string;
  source: string;
  load: () => string[];
}

export const TEXT_CORPORA: Record<string, TextCorpus> = {
  'spam-emails': {
    name: 'spam-emails',
    description: 'subject + body of the 30 % of emails that no spam task split uses',
    source: SPAM_PACKAGE,
    load: () => loadSpamData().pretrainTexts,
  },
  'sotu-early': {
    name: 'sotu-early',
    description: `passages of every State of the Union address before ${SOTU_FIRST_TASK_YEAR}`,
    source: SOTU_PACKAGE,
    load: () => loadSotuData().pretrainTexts,
  },
  'moby-dick': {
    name: 'moby-dick',
    description: 'paragraphs of Moby Dick (general English prose)',
    source: MOBY_DICK_PACKAGE,
    load: loadMobyDickParagraphs,
  },
};

/** Which corpora pretrain an encoder for each built-in text task: in-domain text + general prose. */
export const TEXT_TASK_CORPORA: Record<string, string[]> = {
  spam: ['spam-emails', 'moby-dick'],
  'sotu-party': ['sotu-early', 'moby-dick'],
};

/** Every text of every built-in text task (all splits, every seed). */
function builtinTaskTexts(): Set<string> {
  return new Set([...loadSpamTask().examples.text!, ...loadSotuTask().examples.text!]);
}

const corpusCache = new Map<string, string[]>();

/**
 * Unlabeled strings for self-supervised text pretraining.
 * - `textPretrainCorpus('spam' | 'sotu-party')`: that task's in-domain corpus + Moby Dick;
 * - `textPretrainCorpus()`: all corpora (e.g. for a user's text task);
 * - `textPretrainCorpus(dataset)`: all corpora, minus any string that is one of `dataset`'s texts.
 * Every returned string is distinct and none equals a text of any built-in task's examples
 * (checked here by exact-string set difference, on top of the constructions being disjoint).
 */
export function textPretrainCorpus(task?: string | Dataset): string[] {
  const names = typeof task === 'string' ? TEXT_TASK_CORPORA[task] : Object.keys(TEXT_CORPORA);
  if (!names) {
    throw new UserError(
      `no text pretraining corpus for task "${task}" (text tasks: ${Object.keys(TEXT_TASK_CORPORA).join(', ')}; ` +
        'call textPretrainCorpus() or textPretrainCorpus(dataset) for a user text task)',
    );
  }
  const key = names.join('+');
  let corpus = corpusCache.get(key);
  if (!corpus) {
    const excluded = builtinTaskTexts();
    const seen = new Set<string>();
    corpus = [];
    for (const name of names) {
      for (const text of TEXT_CORPORA[name]!.load()) {
        if (excluded.has(text) || seen.has(text)) continue;
        seen.add(text);
        corpus.push(text);
      }
    }
    corpusCache.set(key, corpus);
  }
  if (typeof task === 'object' && task.examples.text) {
    const own = new Set(task.examples.text);
    return corpus.filter((t) => !own.has(t));
  }
  return corpus;
}
