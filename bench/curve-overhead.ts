// What recording the analysis curve (test accuracy and weak agreement at every evaluation, issue
// 14) costs a student stage: trainStudent with and without `recordCurve`, on digits-parity at the
// experiments' scale (2000 docs: 1000 transfer, 1000 test), mlp xs teacher → mlp l student, probe
// (40 epochs) and finetune (8 epochs), the median of 3 runs each, one after another in this process.
// Measured in CPU seconds of this process (user + system), which a machine shared with other jobs
// disturbs less than wall time; run with one BLAS thread:
//
//   W2S_BLAS_THREADS=1 node --conditions=w2s-source --import tsx bench/curve-overhead.ts
import { ArtifactCache, initBackend, TrainConfigSchema } from '@w2s/core';
import { defaultTrainConfig, getBackbone, parseModelSpec } from '@w2s/models';
import { trainStudent } from '@w2s/strong-student';
import { loadTask, makeSplits } from '@w2s/tasks';
import { trainWeakTeacher } from '@w2s/weak-teacher';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

await initBackend('wasm');
const task = loadTask('digits-parity');
const splits = makeSplits(task, { seed: 0, nDocs: 2000, nTest: 1000 });
const cache = new ArtifactCache(process.env.W2S_CACHE_DIR ?? mkdtempSync(join(tmpdir(), 'w2s-curve-bench-')));
const weakSpec = parseModelSpec({ family: 'mlp', size: 'xs' });
const weak = await trainWeakTeacher({ task, splits, spec: weakSpec, backbone: await getBackbone(weakSpec, task, { cache, seed: 0 }), train: TrainConfigSchema.parse(defaultTrainConfig(weakSpec)), seed: 0, cache });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const mode of ['probe', 'finetune'] as const) {
  const spec = parseModelSpec({ family: 'mlp', size: 'l', mode });
  const backbone = await getBackbone(spec, task, { cache, seed: 0 });
  const opts = { task, splits, spec, backbone, train: TrainConfigSchema.parse(defaultTrainConfig(spec)), seed: 0, targets: weak.transfer, loss: { name: 'xent' }, cache };
  await trainStudent({ ...opts, recordCurve: false }); // warm-up (features cached, kernels compiled)
  const seconds: Record<string, number[]> = { off: [], on: [] };
  for (let run = 0; run < 3; run++) {
    for (const record of [false, true]) {
      const started = process.cpuUsage();
      await trainStudent({ ...opts, recordCurve: record });
      const used = process.cpuUsage(started);
      seconds[record ? 'on' : 'off']!.push((used.user + used.system) / 1e6);
    }
  }
  const [off, on] = [median(seconds.off!), median(seconds.on!)];
  console.log(`${mode}: ${off.toFixed(2)} CPU s without the curve, ${on.toFixed(2)} CPU s with it (${((on / off - 1) * 100).toFixed(0)} % more)`);
  backbone.dispose();
}
