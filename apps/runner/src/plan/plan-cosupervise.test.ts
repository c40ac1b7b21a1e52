import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../manifest/manifest.js';
import { planExperiment } from './plan.js';

const dir = mkdtempSync(join(tmpdir(), 'w2s-cosupervise-plan-'));
function plan(methods: string) {
  const file = join(dir, 'm.yaml');
  writeFileSync(file, `name: m\nseeds: [0]\ntasks: [digits-parity]\nladders:\n  image: { family: mlp, weak: [xs], strong: [l] }\nmethods: ${methods}\n`);
  return planExperiment(loadManifest(file));
}

describe('co-supervision stages (weak.cosupervise)', () => {
  const p = plan('[{ name: naive }, { name: cos2, loss: { name: cosupervise }, weak: { cosupervise: { teachers: 2 } } }, { name: cos3, loss: { name: cosupervise }, weak: { cosupervise: { teachers: 3 } } }]');
  const stagesOf = (method: string) => p.stagesOf(p.cells.find((c) => c.method.name === method)!);

  it('the specialists are a weak-labels stage of their own, read by the student; PGR vs plain uses the plain weak model', () => {
    const naive = stagesOf('naive');
    const cos = stagesOf('cos2');
    expect(cos.plainWeak).toBe(naive.plainWeak);
    expect(cos['weak-gt'].key).not.toBe(naive['weak-gt'].key);
    expect(cos['weak-gt'].plain).toBeUndefined();
    expect(cos.transfer.inputs.filter((k) => !k.startsWith('backbone-'))).toEqual([cos['weak-gt'].key]);
    expect(cos.ceiling).toBe(naive.ceiling);
    // Another number of teachers is another weak-labels stage.
    expect(stagesOf('cos3')['weak-gt'].key).not.toBe(cos['weak-gt'].key);
  });
});
