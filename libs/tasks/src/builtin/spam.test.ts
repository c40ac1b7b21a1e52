import { describe, expect, it } from 'vitest';
import { loadTask } from '../registry.js';
import { loadSpamData, SPAM_PRETRAIN_FRACTION } from './spam.js';

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
    // 6,046 raw emails, minus empty bodies and duplicates; 30 % go to the pretraining corpus.
    expect(n + pretrainTexts.length).toBeGreaterThan(5800);
    expect(n + pretrainTexts.length).toBeLessThanOrEqual(6046);
    expect(pretrainTexts.length / (n + pretrainTexts.length)).toBeCloseTo(SPAM_PRETRAIN_FRACTION, 2);
    expect(task.modality).toBe('text');
    expect(task.classNames).toEqual(['ham', 'spam']);
    const spam = task.examples.labels.reduce((a, y) => a + y, 0);
    console.log(`spam: ${n - spam} ham, ${spam} spam`);
    expect(spam / n).toBeGreaterThan(0.25);
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
});
