import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../manifest/manifest.js';
import { planExperiment } from './plan.js';

const dir = mkdtempSync(join(tmpdir(), 'w2s-chain-plan-'));
function plan(methods: string) {
  const file = join(dir, 'm.yaml');
  writeFileSync(file, `name: m\nseeds: [0]\ntasks: [digits-parity]\nladders:\n  image: { family: mlp, weak: [xs], strong: [l, xl] }\nmethods: ${methods}\n`);
  return planExperiment(loadManifest(file));
}

describe('chain stages (weak.chain)', () => {
  const p = plan('[{ name: naive }, { name: chain, weak: { chain: [s, m] } }, { name: chain-logconf, loss: { name: logconf }, weak: { chain: [s, m] } }]');
  const cell = (method: string, strong: string) => p.cells.find((c) => c.method.name === method && c.strong.size === strong)!;

  it('starts from the plain weak model, and the student reads the last link', () => {
    const naive = p.stagesOf(cell('naive', 'l'));
    const chain = p.stagesOf(cell('chain', 'l'));
    expect(chain['weak-gt']).toBe(naive['weak-gt']); // weak_acc and PGR against the plain weak model
    expect(chain.plainWeak).toBe(naive.plainWeak);
    expect(chain.chain!.map((s) => s.link!.spec.size)).toEqual(['s', 'm']);
    // Besides the backbones (pretrain stages) each stage reads:
    const trained = (inputs: string[]) => inputs.filter((k) => !k.startsWith('backbone-'));
    expect(trained(chain.chain![0]!.inputs)).toEqual([naive.plainWeak.key]);
    expect(trained(chain.chain![1]!.inputs)).toEqual([chain.chain![0]!.key]);
    expect(trained(chain.transfer.inputs)).toEqual([chain.chain![1]!.key]);
    expect(chain.transfer.key).not.toBe(naive.transfer.key);
    expect(naive.chain).toBeUndefined();
  });

  it('links shared by cells are one stage; the link depends on the method loss', () => {
    const toL = p.stagesOf(cell('chain', 'l')).chain!;
    const toXl = p.stagesOf(cell('chain', 'xl')).chain!;
    expect(toXl.map((s) => s.key)).toEqual(toL.map((s) => s.key));
    const logconf = p.stagesOf(cell('chain-logconf', 'l')).chain!;
    expect(logconf[0]!.key).not.toBe(toL[0]!.key);
    const links = p.stages.filter((s) => s.kind === 'weak-link');
    expect(links).toHaveLength(4); // (s, m) × two losses, shared by l and xl
    // Execution order: every stage after the stages it reads.
    const at = new Map(p.stages.map((s, i) => [s.key, i]));
    for (const s of p.stages) for (const input of s.inputs) expect(at.get(input)!).toBeLessThan(at.get(s.key)!);
  });

  it('refuses a chain combined with an ensemble', () => {
    expect(() => plan('[{ name: c, weak: { chain: [s], ensemble: { size: 2 } } }]')).toThrow(/methods\[0\]\.weak\.chain: a chain starts from the plain weak model/);
  });
});

describe('adapted strong backbones (adapt)', () => {
  const p = plan('[{ name: naive }, { name: adapt, adapt: { epochs: 2 } }, { name: adapt-logconf, loss: { name: logconf }, adapt: { epochs: 2 } }, { name: adapt-3, adapt: { epochs: 3 } }]');
  const stagesOf = (method: string) => p.stagesOf(p.cells.find((c) => c.method.name === method && c.strong.size === 'l')!);

  it('an adapted cell has its own ceiling, shared by the methods with the same adaptation', () => {
    const [naive, adapt, adaptLogconf, adapt3] = ['naive', 'adapt', 'adapt-logconf', 'adapt-3'].map(stagesOf);
    expect(adapt!['weak-gt']).toBe(naive!['weak-gt']);
    expect(adapt!.ceiling.key).not.toBe(naive!.ceiling.key);
    expect(adaptLogconf!.ceiling).toBe(adapt!.ceiling);
    expect(adapt3!.ceiling.key).not.toBe(adapt!.ceiling.key);
    expect(adapt!.transfer.key).not.toBe(naive!.transfer.key);
    expect(adapt!.ceiling.label).toContain('(adapted 2 ep)');
  });
});
