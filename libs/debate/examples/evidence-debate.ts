// Evidence debate, offline: two debaters reveal coordinates of each input to argue for their class,
// judged by the strong model; the transcripts become extra input channels for the weak model.
import { pathToFileURL } from 'node:url';
import { Rng } from '@w2s/core';
import { coordinateUnits, evidenceInputs, evidenceMask, maskedInputJudge, parseDebateConfig, runEvidenceDebate } from '@w2s/debate';

// Stand-in for the strong model (in an experiment: the strong backbone with a head trained on
// weak-train ground truth). Binary probability rows [n × 2] from P(class 1) = sigmoid(w·x).
const w = [1.5, -2, 0.5, 0, 1, -0.5];
function strongModel(rows: Float32Array, n: number): Float32Array {
  const probs = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const logit = w.reduce((sum, wj, j) => sum + wj * rows[i * w.length + j]!, 0);
    probs[2 * i + 1] = 1 / (1 + Math.exp(-logit));
    probs[2 * i] = 1 - probs[2 * i + 1]!;
  }
  return probs;
}

export async function runExample(): Promise<string[]> {
  const ids = ['a', 'b', 'c'];
  const dim = w.length;
  const x = new Rng(0).normalArray(ids.length * dim); // the debated examples, row-major
  const units = coordinateUnits(dim); // a feature = one coordinate (images: patchUnits)
  const judge = maskedInputJudge({ x, units, predict: strongModel }); // hidden coordinates read 0
  const config = parseDebateConfig({ protocol: 'debate', turns: 3, featuresPerTurn: 1, temperature: 0.5 });

  const lines: string[] = [];
  for (const seed of [0, 1]) {
    // One debate sample per seed: a debate ensemble trains one weak model on each.
    const transcripts = await runEvidenceDebate(config, { ids, judge, seed });
    for (const t of transcripts) {
      const turns = t.turns.map((turn) => `${turn.speaker} for ${turn.stance} reveals ${turn.features.join(',')}`);
      lines.push(`seed ${seed} ${t.id}: ${turns.join('; ')}`);
    }
    const weak = evidenceInputs({ x, shape: [dim], transcripts, units });
    lines.push(`seed ${seed}: weak inputs ${ids.length} × ${weak.dim}, 'a' mask [${Array.from(evidenceMask(transcripts[0]!, dim)).join(', ')}]`);
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log((await runExample()).join('\n'));
