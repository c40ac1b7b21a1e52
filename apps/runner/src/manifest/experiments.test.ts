import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { findWorkspaceRoot } from '@w2s/core';
import { LADDER_SPLIT_SEED } from '@w2s/models';
import { describe, expect, it } from 'vitest';
import { loadManifest } from './manifest.js';

const root = findWorkspaceRoot();
const manifests = ['experiments', 'experiments/llm'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f)),
);

describe('experiment manifests (issue 21: no choice made on test)', () => {
  it('none reports results on the ladder report\'s held-out split seed', () => {
    expect(manifests.length).toBeGreaterThan(5);
    for (const file of manifests) expect(loadManifest(join(root, file)).manifest.seeds).not.toContain(LADDER_SPLIT_SEED);
  });

  it('choose the digit debate settings on val (issue 18); the family-ensemble pick stays flagged as tuned on test', () => {
    for (const file of ['experiments/debate.yaml', 'experiments/debate-judges.yaml']) {
      const { manifest } = loadManifest(join(root, file));
      expect(manifest.splits.nVal, file).toBeGreaterThan(0);
      for (const method of manifest.methods.filter((m) => m.weak?.debate)) {
        expect(method.tunedOnTest, method.name).toBe(false);
        expect(method.weak!.select, method.name).toEqual([{ featuresPerTurn: 2, temperature: 1 }, { featuresPerTurn: 4, temperature: 0.3 }]);
      }
    }
    const { manifest } = loadManifest(join(root, 'experiments/debate.yaml'));
    expect(manifest.methods.filter((m) => m.tunedOnTest).map((m) => m.name)).toEqual(['family-ensemble']);
    expect(manifest.methods.find((m) => m.name === 'weak-alone')!.tunedOnTest).toBe(false); // the default
  });

  it('flag every probe ladder (probe over finetune was chosen on the old seed-0 test split)', () => {
    for (const file of manifests) {
      for (const ladder of Object.values(loadManifest(join(root, file)).manifest.ladders)) {
        // embedding and tfjs backbones can only be probed: no choice was made for them.
        if (ladder.mode === 'probe' && ladder.family !== 'embedding' && ladder.family !== 'tfjs') expect(ladder.tunedOnTest, file).toBe(true);
      }
    }
  });
});
