import { describe, expect, it } from 'vitest';
import { loadTask } from '../registry.js';
import { makeSplits } from '../splits.js';
import { cleanEmail } from './email.js';
import { firstLetterWords, letterWords, loadSpamData, nearDuplicateKeys, readSpamEmails, SPAM_PRETRAIN_FRACTION } from './spam.js';

describe('spam task', () => {
  const start = performance.now();
  const task = loadTask('spam');
  const ms = performance.now() - start;
  console.log(`spam: loaded in ${ms.toFixed(0)} ms`);

  it('loads offline from the installed package in under 10 s', () => {
    expect(ms).toBeLessThan(10_000);
    expect(loadTask({ name: 'spam' })).toBe(task); // cached
  });

  it('holds ~70 % of the 6,046 emails, deduplicated, ham vs spam', () => {
    const { task: emails, pretrainTexts } = loadSpamData();
    const n = task.examples.labels.length;
    expect(n).toBe(emails.length);
    // 6,046 raw emails, minus empty bodies (~150) and near-duplicates (~530, see below); 30 % go
    // to the pretraining corpus.
    expect(n + pretrainTexts.length).toBeGreaterThan(5300);
    expect(n + pretrainTexts.length).toBeLessThanOrEqual(6046);
    expect(pretrainTexts.length / (n + pretrainTexts.length)).toBeCloseTo(SPAM_PRETRAIN_FRACTION, 2);
    expect(task.modality).toBe('text');
    expect(task.classNames).toEqual(['ham', 'spam']);
    const spam = task.examples.labels.reduce((a, y) => a + y, 0);
    console.log(`spam: ${n - spam} ham, ${spam} spam`);
    expect(spam / n).toBeGreaterThan(0.2); // most near-duplicates were spam: 24 % left
    expect(spam / n).toBeLessThan(0.35);
    expect(new Set(task.examples.text).size).toBe(n);
    expect(new Set(task.examples.ids).size).toBe(n);
  });

  it('labels follow the sub-corpus (spam-1/2 vs easy/hard ham), ids do not reveal it', () => {
    task.examples.groups!.forEach((g, i) => {
      expect(task.examples.labels[i]).toBe(g.startsWith('spam') ? 1 : 0);
    });
    expect(new Set(task.examples.groups)).toEqual(new Set(['easy-ham-1', 'easy-ham-2', 'hard-ham-1', 'spam-1', 'spam-2']));
    for (const id of task.examples.ids) expect(id).toMatch(/^spam-[0-9a-f]{12}$/);
  });

  it('texts are subject + body: no email starts with transport headers', () => {
    const headerStart = /^(From \S+@\S+ |Return-Path:|Received:|Delivered-To:|X-[\w-]+:|Message-Id:)/i;
    for (const text of task.examples.text!) {
      expect(text.trim().length).toBeGreaterThan(0);
      expect(headerStart.test(text)).toBe(false);
    }
    // The corpus' anonymized relay host appears in every raw header; in cleaned texts only where
    // people quote it in a body, so it is no longer a label giveaway.
    const withHost = task.examples.text!.filter((t) => t.includes('spamassassin.taint.org')).length;
    expect(withHost / task.examples.text!.length).toBeLessThan(0.1);
  });

  it('keys near-duplicates by their first 60 letter-only words, of the whole text and of the body', () => {
    const body = Array.from({ length: 70 }, (_, i) => `word${i} w${String.fromCharCode(97 + (i % 26))}`).join(' ');
    const [full, bodyKey] = nearDuplicateKeys('Cheap MORTGAGE 11925', body);
    // Case, punctuation, digits and anything after word 60 do not matter.
    expect(nearDuplicateKeys('cheap mortgage!!! 21570', `${body.toUpperCase()} and a different ending`)).toEqual([full, bodyKey]);
    // Another subject over the same body: a different full key, the same body key.
    const other = nearDuplicateKeys('Are you at risk? CZFQNT', body);
    expect(other[0]).not.toBe(full);
    expect(other[1]).toBe(bodyKey);
    // A different word among the first 60 is a different email; short bodies get no body key.
    expect(nearDuplicateKeys('Cheap MORTGAGE', `changed ${body}`)).not.toContain(bodyKey);
    expect(nearDuplicateKeys('Re: lunch', 'thanks, see you at noon')).toHaveLength(1);
  });

  it('has no near-duplicates left, so none straddles the splits or the pretraining corpus', { timeout: 30_000 }, () => {
    // Before deduplication, 13 of the 1000 seed-0 test emails shared their first 60 normalized
    // words with a weak-train or transfer email and 12 with the pretraining corpus (issue 21).
    const { task: emails, pretrainTexts } = loadSpamData();
    // Each kept text's subject and body, from the raw emails again (a text alone is ambiguous:
    // without a subject it is just the body, which may contain blank lines).
    const parts = new Map<string, { subject: string; body: string }>();
    for (const raw of readSpamEmails()) {
      const { subject, body } = cleanEmail(raw.text);
      parts.set(subject ? `${subject}\n\n${body}` : body, { subject, body });
    }
    const owner = new Map<string, string>(); // key → 'task:<i>' or 'pretrain:<i>'
    const clashes: string[] = [];
    const add = (text: string, who: string) => {
      const { subject, body } = parts.get(text)!;
      for (const k of nearDuplicateKeys(subject, body)) {
        const seen = owner.get(k);
        if (seen !== undefined && seen !== who) clashes.push(`${who} and ${seen}`);
        owner.set(k, who);
      }
    };
    emails.forEach((e, i) => add(e.text, `task:${i}`));
    pretrainTexts.forEach((t, i) => add(t, `pretrain:${i}`));
    expect(clashes).toEqual([]);
    // The issue's own check on the seed-0 splits of the experiments (2000 docs, 1000 test).
    const words = (t: string) => t.toLowerCase().replace(/[^a-z\s]/g, ' ').split(/\s+/).filter(Boolean).slice(0, 60).join(' ');
    const splits = makeSplits(task, { seed: 0, nDocs: 2000, nTest: 1000 });
    const text = task.examples.text!;
    const seen = new Set(Array.from([...splits['weak-train'], ...splits.transfer], (i) => words(text[i]!)));
    const corpus = new Set(pretrainTexts.map(words));
    const test = Array.from(splits.test, (i) => words(text[i]!));
    expect(test.filter((k) => seen.has(k))).toEqual([]);
    expect(test.filter((k) => corpus.has(k))).toEqual([]);
  });
});

describe('firstLetterWords', () => {
  it('equals the first n words of the whole text, for every email of the corpus (subject + body and body alone)', () => {
    let differing = 0;
    let cutShort = 0; // emails long enough that only part of the text was read
    for (const raw of readSpamEmails()) {
      const { subject, body } = cleanEmail(raw.text);
      for (const text of [`${subject}\n\n${body}`, body]) {
        if (text.length > 8 * 60) cutShort++;
        if (firstLetterWords(text, 60).join(' ') !== letterWords(text).slice(0, 60).join(' ')) differing++;
      }
    }
    expect(differing).toBe(0);
    expect(cutShort).toBeGreaterThan(1000);
  });

  it('cuts only before a space or line break: a final sigma, a combining mark or a ligature at the cut stay as in the whole text', () => {
    // The first try reads 8 × n characters; with n = 16 that is 128, and the 16th word sits
    // across index 128, where a cut that ignored word boundaries would split it.
    const lead = `${'ab '.repeat(15)}${'1 '.repeat(39)} `; // 124 characters, 15 words
    const cases = [
      `${lead}ΟΔΟΣΑΒ end`, // Σ lower-cases to ς at the end of a word only: ΟΔΟΣ|ΑΒ must stay σ
      `${lead}ΟΔΟΣ end`, // …and here, cut just after it, it is ς in both
      `${lead}cafe\u0301s more`, // e + combining acute: é under NFKC, across index 128
      `${lead}abcd\ufb01x more`, // the ﬁ ligature is the letters f, i under NFKC
      `${'x'.repeat(5000)} tail words here`, // no break in the first tries: the cut moves on
      `${'1 '.repeat(3000)}only three words`, // too few words in the first cuts
    ];
    for (const text of cases) {
      for (const n of [1, 15, 16, 17, 50]) expect(firstLetterWords(text, n)).toEqual(letterWords(text).slice(0, n));
    }
  });
});
