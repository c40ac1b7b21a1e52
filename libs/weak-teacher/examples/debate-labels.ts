// Debate-assisted weak labels (Lang, Huang & Li 2025) on a built-in task: two instances of the
// strong model debate each digit by revealing 4×4 patches; the weak model reads the transcripts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ArtifactCache, initBackend } from '@w2s/core';
import { loadTask, makeSplits } from '@w2s/tasks';
import { makeWeakLabels, weakLabelsContext } from '@w2s/weak-teacher';

export async function runExample(cacheDir = mkdtempSync(join(tmpdir(), 'w2s-weak-labels-'))): Promise<string[]> {
  await initBackend('wasm');
  const task = loadTask('digits-parity');
  const splits = makeSplits(task, { seed: 0, nDocs: 400, nTest: 200 });
  const ctx = weakLabelsContext({
    task, splits, seed: 0, cache: new ArtifactCache(cacheDir),
    weak: { family: 'mlp', size: 'xs' },
    strong: { family: 'mlp', size: 'l' },
    train: { weak: { epochs: 10 }, strong: { epochs: 10 } },
  });
  try {
    const plain = await makeWeakLabels(ctx, undefined);
    const debated = await makeWeakLabels(ctx, { debate: { turns: 3, featuresPerTurn: 4, temperature: 0.3 } });
    const first = debated.transcripts[0]!;
    return [
      `plain weak labels: test accuracy ${plain.testAcc.toFixed(3)}, ${plain.transfer.length / 2} transfer soft labels`,
      `debate-assisted:   test accuracy ${debated.testAcc.toFixed(3)}, ${debated.transcripts.length} transcripts`,
      `${first.id}: ${first.turns.map((t) => `${t.speaker} for ${t.stance} shows ${t.content}`).join('; ')}`,
    ];
  } finally {
    ctx.dispose();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log((await runExample()).join('\n'));
