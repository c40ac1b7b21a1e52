// End to end: a chain method (intermediate-model bootstrapping) next to naive training, through
// the CLI with worker processes; the tables say what the chain did.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, w2s } from './helpers.js';

const dir = tempDir('w2s-chain-');
const manifest = join(dir, 'chain.yaml');
const out = join(dir, 'results');
writeFileSync(
  manifest,
  `name: chain
backend: wasm
seeds: [0]
splits: { nDocs: 400, nTest: 200 }
tasks: [digits-parity]
ladders:
  image: { family: mlp, mode: probe, weak: [xs], strong: [m, l] }
methods:
  - name: naive
  - name: chain
    weak: { chain: [s] }
bootstrap: { resamples: 200 }
`,
);
const read = (file: string) => tableFromIPC(readFileSync(join(out, file))).toArray().map((r) => r.toJSON() as Record<string, unknown>);

let result: ReturnType<typeof w2s>;
beforeAll(() => {
  result = w2s(['run', manifest, '--cache', join(dir, 'cache'), '--out', out, '--workers', '2']);
}, 600_000);

describe('weak: { chain: [s] }', () => {
  it('runs one link shared by both strong sizes', () => {
    expect(result.status, result.stderr).toBe(0);
    // weak, 2 ceilings, 2 naive transfers, 1 link (shared by m and l), 2 chain transfers, and the
    // pretrain stages of mlp-xs, s, m and l
    expect(result.stdout).toMatch(/4 cells · 12 stages computed, 0 from cache/);
    expect(result.stderr.match(/done {3}link /g)).toHaveLength(1);
  });

  it('a chain row is measured against the plain weak model, and lists the link accuracy', () => {
    const runs = read('runs.arrow');
    const row = (method: string, strong: string) => runs.find((r) => r.method === method && r.strong_model === strong)!;
    for (const strong of ['mlp-m', 'mlp-l']) {
      const [naive, chain] = [row('naive', strong), row('chain', strong)];
      expect(chain.weak_acc).toBe(naive.weak_acc);
      expect(chain.hash_weak).toBe(naive.hash_weak);
      expect(chain.pgr).toBe(chain.pgr_vs_plain);
      expect(naive.chain_acc).toBeNull();
      // The link's accuracy is that of its test predictions in predictions.arrow.
      const link = read('predictions.arrow').filter((p) => p.cell_id === chain.cell_id && p.stage === 'link-mlp-s' && p.split === 'test');
      expect(link).toHaveLength(200);
      expect(JSON.parse(chain.chain_acc as string)).toEqual([link.filter((p) => p.pred === p.gt).length / 200]);
    }
    expect(read('curves.arrow').some((c) => c.stage === 'link-mlp-s')).toBe(true);
  });
});
