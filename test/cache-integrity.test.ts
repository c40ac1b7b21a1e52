// Cache integrity: every kind of artifact a run stores (pretrained weights, probe features, the
// stage outputs weak-gt / ceiling / transfer with their predictions) is truncated or altered in a
// copy of a complete cache; the rerun reports it in one line naming the artifact, moves it aside,
// recomputes it, and writes the same tables as the undamaged run.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Vector } from 'apache-arrow';
import { ArtifactCache, CORRUPT_DIR } from '@w2s/core';
import { describe, expect, it } from 'vitest';
import { tempDir, w2s } from './helpers.js';
import { readRuns, runsWithoutTimings } from './scale-helpers.js';

const dir = tempDir('w2s-integrity-');
const manifest = join(dir, 'integrity.yaml');
writeFileSync(
  manifest,
  `name: integrity
backend: wasm
seeds: [0]
splits: { nDocs: 200, nTest: 100, nVal: 40 }
tasks: [digits-parity]
ladders:
  image: { family: mlp, mode: probe, weak: [xs], strong: [s] }
methods:
  - name: naive
bootstrap: { resamples: 100 }
`,
);
const STAGE_KINDS = ['weak-gt', 'ceiling', 'transfer'];

function run(cache: string, out: string, workers: number) {
  const result = w2s(['run', manifest, '--workers', String(workers), '--cache', cache, '--out', out]);
  expect(result.status, result.stderr).toBe(0);
  return result;
}

/** List cells (e.g. a prediction's probabilities) as plain arrays: Arrow vectors hold buffer offsets. */
const plain = (rows: Record<string, unknown>[]) =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Vector ? Array.from(v.toArray() as ArrayLike<unknown>) : v])));

/** The tables a run writes, without the wall-clock columns (seconds_*), as plain rows. */
function tables(out: string) {
  return {
    runs: plain(runsWithoutTimings(join(out, 'runs.arrow'))),
    predictions: plain(readRuns(join(out, 'predictions.arrow'))),
    curves: plain(readRuns(join(out, 'curves.arrow'))),
  };
}

const artifactsOf = (cache: string, kind: string) => readdirSync(cache).filter((n) => n.startsWith(`${kind}-`));
const largestFile = (artifact: string) =>
  readdirSync(artifact)
    .filter((f) => !f.startsWith('.'))
    .sort((a, b) => statSync(join(artifact, b)).size - statSync(join(artifact, a)).size)[0]!;

const damages = {
  truncated: (file: string) => truncateSync(file, Math.floor(statSync(file).size / 2)),
  // Same size, one byte changed: still parses (a digit in JSON, a float in the weights), so only
  // a checksum catches it.
  altered: (file: string) => {
    const bytes = readFileSync(file);
    const at = bytes.indexOf('5'.charCodeAt(0), Math.floor(bytes.length / 2));
    const i = at >= 0 ? at : Math.floor(bytes.length / 2);
    bytes[i] = bytes[i] === '7'.charCodeAt(0) ? '8'.charCodeAt(0) : '7'.charCodeAt(0);
    writeFileSync(file, bytes);
  },
};

describe('a damaged artifact is reported in one line, moved aside and recomputed', () => {
  const ref = { cache: join(dir, 'cache-ref'), out: join(dir, 'out-ref') };
  let reference: ReturnType<typeof tables>;

  it('reference run', () => {
    run(ref.cache, ref.out, 0);
    reference = tables(ref.out);
    for (const kind of ['pretrain', 'features', ...STAGE_KINDS]) expect(artifactsOf(ref.cache, kind).length, kind).toBeGreaterThan(0);
  });

  // Pretrained weights and features are read only by a stage that trains: for those kinds the
  // rerun also lacks the stage artifacts, so the backbone is loaded (and the damage met).
  const cases = ['pretrain', 'features', ...STAGE_KINDS].flatMap((kind) =>
    (['truncated', 'altered'] as const).map((damage, i) => ({ kind, damage, workers: i })),
  );
  it('w2s plan shows a damaged artifact as to run, and moves nothing', () => {
    const cache = join(dir, 'cache-plan');
    cpSync(ref.cache, cache, { recursive: true });
    const victim = join(cache, artifactsOf(cache, 'ceiling')[0]!);
    damages.truncated(join(victim, 'stage.json'));
    const { status, stdout } = w2s(['plan', manifest, '--cache', cache]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/to run\s+ceiling .*\(corrupt: stage\.json holds \d+ bytes/);
    expect(stdout).toContain('4/5 stages cached');
    expect(existsSync(victim)).toBe(true);
    expect(existsSync(join(cache, CORRUPT_DIR))).toBe(false);
  });

  it.each(cases)('$kind artifact $damage (workers $workers)', ({ kind, damage, workers }) => {
    const where = { cache: join(dir, `cache-${kind}-${damage}`), out: join(dir, `out-${kind}-${damage}`) };
    cpSync(ref.cache, where.cache, { recursive: true });
    const victim = join(where.cache, artifactsOf(where.cache, kind).sort()[0]!);
    const file = join(victim, largestFile(victim));
    damages[damage](file);
    const nested = !STAGE_KINDS.includes(kind);
    if (nested) for (const k of STAGE_KINDS) for (const a of artifactsOf(where.cache, k)) rmSync(join(where.cache, a), { recursive: true });

    const { stderr, stdout } = run(where.cache, where.out, workers);

    const reports = stderr.split('\n').filter((l) => /corrupt/i.test(l));
    expect(reports, stderr).toHaveLength(1);
    expect(reports[0]).toContain(victim);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    const aside = readdirSync(join(where.cache, CORRUPT_DIR));
    expect(aside).toHaveLength(1);
    expect(aside[0]!.startsWith(victim.split('/').at(-1)!)).toBe(true);
    // Recomputed: present again, intact, and counted as computed.
    expect(existsSync(victim)).toBe(true);
    expect(new ArtifactCache(where.cache).check(victim.split('/').at(-1)!)).toBeUndefined();
    const computed = Number(/(\d+) stages? computed/.exec(stdout)?.[1] ?? NaN);
    expect(computed, stdout).toBe(nested ? 3 : 1);
    expect(tables(where.out)).toEqual(reference);
  });
});
