import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const workspaceRoot = fileURLToPath(new URL('..', import.meta.url));
export const w2sBin = join(workspaceRoot, 'apps/runner/bin/w2s.js');

export function tempDir(prefix = 'w2s-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Runs the real `w2s` command (as a user would) and captures its output. From the sources
 * (W2S_FROM_SOURCE=1), like the rest of the tests: a dist/ built by another test or by hand must
 * not decide what is tested. test/pack.test.ts runs the built JavaScript.
 */
export function w2s(args: string[], env: Record<string, string> = {}, cwd = workspaceRoot) {
  const result = spawnSync(process.execPath, [w2sBin, ...args], {
    cwd,
    env: { ...process.env, CI: 'true', W2S_FROM_SOURCE: '1', ...env },
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const POSITIVE_WORDS = ['wonderful', 'excellent', 'happy', 'delight', 'love', 'great', 'pleasant', 'fine'];
export const NEGATIVE_WORDS = ['terrible', 'awful', 'sad', 'hate', 'dreadful', 'bad', 'poor', 'miserable'];

/**
 * A small review CSV (columns id, review, sentiment = pos/neg, alternating): 12 filler words with
 * two words of the review's sentiment and, in one review of five, one of the other sentiment.
 */
export function writeReviewsCsv(file: string, rows = 400): void {
  const filler = ['the', 'ship', 'sea', 'whale', 'captain', 'day', 'night', 'man', 'boat', 'water', 'time', 'long'];
  const lines = ['id,review,sentiment'];
  let s = 12345;
  const rand = (n: number) => ((s = (s * 1103515245 + 12345) % 2147483648), s % n);
  for (let i = 0; i < rows; i++) {
    const label = i % 2;
    const words = Array.from({ length: 12 }, () => filler[rand(filler.length)]!);
    for (let j = 0; j < 2; j++) words[rand(12)] = (label ? POSITIVE_WORDS : NEGATIVE_WORDS)[rand(8)]!;
    if (rand(5) === 0) words[rand(12)] = (label ? NEGATIVE_WORDS : POSITIVE_WORDS)[rand(8)]!; // some noise
    lines.push(`r${i},"${words.join(' ')}",${label ? 'pos' : 'neg'}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}
