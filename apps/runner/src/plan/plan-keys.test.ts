import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Models from '@w2s/models';
import { afterEach, describe, expect, it, vi } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'w2s-keys-'));
const file = join(dir, 'm.yaml');
writeFileSync(
  file,
  `name: m
seeds: [0]
tasks: [digits-parity]
ladders:
  image: { family: mlp, weak: [xs], strong: [m] }
methods: [{ name: a }, { name: b, loss: { name: logconf } }]
train: { strong: { lr: 0.02 } }
`,
);

type Patch = Partial<Pick<typeof Models, 'defaultTrainConfig' | 'ladder' | 'PRETRAIN_RECIPE_VERSION'>>;

/** The stage keys of the manifest, by kind and method, with @w2s/models' defaults patched. */
async function keysWith(patch: (orig: typeof Models) => Patch = () => ({})) {
  vi.resetModules();
  vi.doMock('@w2s/models', async (importOriginal) => {
    const orig = await importOriginal<typeof Models>();
    return { ...orig, ...patch(orig) };
  });
  const { planExperiment } = await import('./plan.js');
  const { loadManifest } = await import('../manifest/manifest.js');
  const plan = planExperiment(loadManifest(file));
  const keys: Record<string, string> = {};
  for (const stage of plan.stages) if (stage.kind === 'pretrain') keys[`pretrain ${stage.model!.size}`] = stage.key;
  for (const cell of plan.cells) {
    const stages = plan.stagesOf(cell);
    keys.weak = stages['weak-gt'].key;
    keys.ceiling = stages.ceiling.key;
    keys[`transfer ${cell.method.name}`] = stages.transfer.key;
  }
  return keys;
}

const changed = (a: Record<string, string>, b: Record<string, string>) => Object.keys(a).filter((k) => a[k] !== b[k]).sort();

afterEach(() => {
  vi.doUnmock('@w2s/models');
  vi.resetModules();
});

describe('stage keys hash the resolved config (issue 21)', () => {
  it('change a default training config: exactly the stages that train that model recompute', async () => {
    const base = await keysWith();
    expect(await keysWith()).toEqual(base); // deterministic
    const moreEpochs = (size: string) => (orig: typeof Models): Patch => ({
      defaultTrainConfig: (spec) => {
        const config = orig.defaultTrainConfig(spec);
        return spec.size === size ? { ...config, epochs: config.epochs + 1 } : config;
      },
    });
    // The strong model's default: its ceiling and both transfers, not the weak model.
    expect(changed(base, await keysWith(moreEpochs('m')))).toEqual(['ceiling', 'transfer a', 'transfer b']);
    // The weak model's default: its stage and the transfers that read its labels.
    expect(changed(base, await keysWith(moreEpochs('xs')))).toEqual(['transfer a', 'transfer b', 'weak']);
  });

  it('a manifest override still wins over the default, so overriding what changed keeps the keys', async () => {
    const base = await keysWith();
    const otherLr = (orig: typeof Models): Patch => ({
      defaultTrainConfig: (spec) => ({ ...orig.defaultTrainConfig(spec), ...(spec.size === 'm' && { lr: 0.5 }) }),
    });
    expect(changed(base, await keysWith(otherLr))).toEqual([]); // the manifest sets strong lr 0.02
  });

  it('change a size ladder (architecture or pretraining budget): the stages of that size recompute', async () => {
    const base = await keysWith();
    const widerXs = (orig: typeof Models): Patch => ({
      ladder: (family) => orig.ladder(family).map((e) => (e.size === 'xs' ? { ...e, params: e.params + 1 } : e)),
    });
    expect(changed(base, await keysWith(widerXs))).toEqual(['pretrain xs', 'transfer a', 'transfer b', 'weak']);
  });

  it('change the pretraining recipe version: every backbone, and so every stage, recomputes', async () => {
    const base = await keysWith();
    const nextRecipe = (orig: typeof Models): Patch => ({ PRETRAIN_RECIPE_VERSION: orig.PRETRAIN_RECIPE_VERSION + 1 });
    expect(changed(base, await keysWith(nextRecipe))).toEqual(Object.keys(base).sort());
  });
});
