// An LLM outage through the real CLI costs seconds and a bounded number of requests (issue: a
// closed port used to hang silently for minutes, a 500-ing server got 5 requests per example).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startScriptedServer } from '../libs/debate/src/test-utils/scripted-server.js';
import { tempDir, writeReviewsCsv } from './helpers.js';
import { startW2s } from './scale-helpers.js';

const dir = tempDir('w2s-llm-outage-');
writeReviewsCsv(join(dir, 'reviews.csv'), 200);

function manifest(name: string, debater: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
seeds: [0]
splits: { nDocs: 100, nTest: 60, nVal: 0 }
tasks:
  - { file: reviews.csv, label: sentiment, text: review, id: id }
ladders:
  text: { family: text, weak: [xs], strong: [s] }
methods:
  - name: llm-debate
    weak: { debate: { protocol: debate, turns: 2, debater: { kind: llm, model: m, ${debater} } } }
bootstrap: { resamples: 100 }
`,
  );
  return file;
}

/** Runs w2s in the background; returns its output and when each line of standard error arrived. */
async function run(file: string, name: string) {
  const bg = startW2s(['run', file, '--workers', '0', '--cache', join(dir, 'cache'), '--out', join(dir, `out-${name}`)]);
  const lines: { at: number; text: string }[] = [];
  let seen = 0;
  bg.child.stderr!.on('data', () => {
    const all = bg.output().stderr.split('\n');
    for (; seen < all.length - 1; seen++) lines.push({ at: performance.now(), text: all[seen]! });
  });
  const { status } = await bg.exited;
  return { status, stderr: bg.output().stderr, lines, exitAt: performance.now() };
}

describe('LLM outages through w2s run', () => {
  it('a closed port: one message naming the URL within 10 s of the debate starting (default retry settings)', async () => {
    const s = await startScriptedServer(() => ({ content: 'unused' }));
    const baseUrl = s.baseUrl;
    await s.close();
    const r = await run(manifest('closed', `baseUrl: '${baseUrl}'`), 'closed');
    expect(r.status).not.toBe(0);
    const lastStage = r.lines.filter((l) => l.text.startsWith('done ')).at(-1)!;
    expect(lastStage, r.stderr).toBeDefined();
    expect(r.exitAt - lastStage.at).toBeLessThan(10_000);
    const errors = r.lines.filter((l) => /^w2s: .*no valid answer/.test(l.text));
    expect(errors, r.stderr).toHaveLength(1);
    expect(errors[0]!.text).toContain(`${baseUrl}/chat/completions: no valid answer after 3 attempts; last: cannot reach the endpoint (ECONNREFUSED)`);
    // One line per retry wave, not one per example.
    expect(r.lines.filter((l) => /ECONNREFUSED\); retry \d of 2/.test(l.text))).toHaveLength(2);
    expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
  }, 300_000);

  it('a server answering 500: requests bounded by concurrency + maxRetries, one line per wave', async () => {
    const s = await startScriptedServer(() => ({ status: 500, body: '{"error":"overloaded"}' }));
    try {
      const r = await run(manifest('five-hundred', `baseUrl: '${s.baseUrl}', concurrency: 8, maxRetries: 4, retryBaseMs: 20`), '500');
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`${s.baseUrl}/chat/completions: no valid answer after 5 attempts; last: HTTP 500: {"error":"overloaded"}`);
      expect(s.requests.length).toBeLessThanOrEqual(8 + 4);
      expect(r.lines.filter((l) => /HTTP 500: .*; retry \d of 4/.test(l.text))).toHaveLength(4);
    } finally {
      await s.close();
    }
  }, 300_000);
});
