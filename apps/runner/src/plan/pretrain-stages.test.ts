// Pretraining is a stage of the DAG (issue 15): each backbone once per plan, read by every
// training stage of its model, and part of their keys (issue 21: a stage key holds the keys of
// the artifacts it reads, and a user's model files by content).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../manifest/manifest.js';
import { planExperiment, type Plan, type Stage } from './plan.js';

const root = join(import.meta.dirname, '../../../..');
const dir = mkdtempSync(join(tmpdir(), 'w2s-pretrain-stages-'));

const pretrainStages = (plan: Plan) => plan.stages.filter((s) => s.kind === 'pretrain');
const byKey = (plan: Plan) => new Map(plan.stages.map((s) => [s.key, s]));
const readsOf = (plan: Plan, stage: Stage) => stage.inputs.map((k) => byKey(plan).get(k)!).filter((s) => s.kind === 'pretrain').map((s) => `${s.model!.family}-${s.model!.size}`);

function manifest(name: string, body: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\n${body}`);
  return file;
}

describe('pretrain stages', () => {
  it('the quickstart: the text backbones are the heaviest; a strong probe\'s stages share one features group per (backbone, seed)', () => {
    const plan = planExperiment(loadManifest(join(root, 'experiments/quickstart.yaml')));
    const heaviest = [...pretrainStages(plan)].sort((a, b) => b.cost! - a.cost!).slice(0, 2).map((s) => `${s.model!.family}-${s.model!.size}`);
    expect(heaviest.sort()).toEqual(['text-l', 'text-m']);
    const groups = new Map<string, Set<string>>();
    for (const cell of plan.cells) {
      const { ceiling, transfer } = plan.stagesOf(cell);
      expect(ceiling.shares).toBeDefined();
      expect(transfer.shares).toBe(ceiling.shares);
      const id = `${cell.task.dataset.name} ${cell.strong.family}-${cell.strong.size} seed ${cell.seed}`;
      groups.set(ceiling.shares!, new Set([...(groups.get(ceiling.shares!) ?? []), id]));
    }
    // One group per (task, strong model, seed): 2 tasks × 2 strong sizes × 2 seeds, never two seeds or models in one.
    expect(groups.size).toBe(8);
    for (const ids of groups.values()) expect(ids.size).toBe(1);
  });

  it("the quickstart: one stage per backbone, before every stage that reads it, and each training stage reads its own model's", () => {
    const plan = planExperiment(loadManifest(join(root, 'experiments/quickstart.yaml')));
    const pretrain = pretrainStages(plan);
    expect(pretrain.map((s) => `${s.model!.family}-${s.model!.size}`).sort()).toEqual(['mlp-l', 'mlp-m', 'mlp-xs', 'text-l', 'text-m', 'text-xs']);
    const position = new Map(plan.stages.map((s, i) => [s.key, i]));
    for (const stage of plan.stages) for (const input of stage.inputs) expect(position.get(input)!).toBeLessThan(position.get(stage.key)!);
    for (const cell of plan.cells) {
      const stages = plan.stagesOf(cell);
      const label = (m: { family: string; size: string }) => `${m.family}-${m.size}`;
      expect(readsOf(plan, stages['weak-gt'])).toEqual([label(cell.weak)]);
      expect(readsOf(plan, stages.ceiling)).toEqual([label(cell.strong)]);
      expect(readsOf(plan, stages.transfer)).toEqual([label(cell.strong)]);
      expect(stages.transfer.inputs).toContain(stages['weak-gt'].key);
    }
  });

  it('probe and finetune share a backbone; the three digit tasks share the digit pretraining split', () => {
    const plan = planExperiment(
      loadManifest(
        manifest(
          'share',
          `seeds: [0, 1]
tasks: [digits-parity, digits-gt4]
ladders:
  image: { family: mlp, weak: [xs], strong: [s] }
methods: [{ name: a }]
`,
        ),
      ),
    );
    expect(pretrainStages(plan)).toHaveLength(2);
    const finetune = planExperiment(
      loadManifest(
        manifest(
          'share-ft',
          `seeds: [0]
tasks: [digits-parity]
ladders:
  image: { family: mlp, mode: finetune, weak: [xs], strong: [s] }
methods: [{ name: a }]
`,
        ),
      ),
    );
    expect(pretrainStages(finetune).map((s) => s.key).sort()).toEqual(pretrainStages(plan).map((s) => s.key).sort());
  });

  it('a numeric task pretraining on its own split inputs gets one backbone per seed; pretrain: none gets no stage', () => {
    const rows = Array.from({ length: 400 }, (_, i) => `${i % 2},${(i * 7) % 13},${(i * 3) % 5},${i % 11}`);
    writeFileSync(join(dir, 'rows.csv'), `label,a,b,c\n${rows.join('\n')}\n`);
    const body = (pretrain: string) => `seeds: [0, 1]
splits: { nDocs: 300, nTest: 100 }
tasks: [{ file: rows.csv, label: label, features: [a, b, c] }]
ladders:
  vector: { family: mlp, weak: [xs], strong: [s]${pretrain} }
methods: [{ name: a }]
`;
    const plan = planExperiment(loadManifest(manifest('per-seed', body(''))));
    expect(pretrainStages(plan).map((s) => s.label).sort()).toEqual([
      'pretrain mlp-s on rows/inputs-of-weak-train+transfer seed 0',
      'pretrain mlp-s on rows/inputs-of-weak-train+transfer seed 1',
      'pretrain mlp-xs on rows/inputs-of-weak-train+transfer seed 0',
      'pretrain mlp-xs on rows/inputs-of-weak-train+transfer seed 1',
    ]);
    expect(pretrainStages(planExperiment(loadManifest(manifest('none', body(', mode: finetune, pretrain: none')))))).toEqual([]);
  });

  it("a user's tfjs model: the content of its files is in the keys of the stages that read it, not its path", () => {
    const model = join(dir, 'model');
    mkdirSync(model, { recursive: true });
    const keys = (weights: number[]) => {
      writeFileSync(join(model, 'model.json'), '{"format": "layers-model"}');
      writeFileSync(join(model, 'weights.bin'), Buffer.from(Float32Array.from(weights).buffer));
      const plan = planExperiment(
        loadManifest(
          manifest(
            'tfjs',
            `seeds: [0]
splits: { nDocs: 300, nTest: 100 }
tasks: [{ file: rows.csv, label: label, features: [a, b, c] }]
ladders:
  vector: { family: tfjs, path: model, weak: [a], strong: [b] }
methods: [{ name: a }]
`,
          ),
        ),
      );
      expect(pretrainStages(plan)).toEqual([]);
      return plan.stages.map((s) => s.key);
    };
    const before = keys([1, 2, 3]);
    expect(keys([1, 2, 3])).toEqual(before);
    const after = keys([1, 2, 4]);
    for (const [i, key] of after.entries()) expect(key).not.toBe(before[i]);
  });
});
