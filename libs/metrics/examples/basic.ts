// One cell of a weak-to-strong experiment on 10 binary test examples:
// metrics of each model, PGR with a bootstrap interval, and a median PGR per (task, method).
import { pathToFileURL } from 'node:url';
import { accuracy, auroc, binaryProbs, bootstrapCell, ece, medianPgrBy, misfit, pgr } from '@w2s/metrics';

export function runExample(): string[] {
  const labels = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0];
  // P(class 1) of each model on the test examples.
  const weak = binaryProbs([0.6, 0.4, 0.4, 0.7, 0.6, 0.3, 0.45, 0.55, 0.8, 0.2]);
  const ceiling = binaryProbs([0.9, 0.1, 0.8, 0.7, 0.3, 0.2, 0.6, 0.4, 0.9, 0.6]);
  const w2s = binaryProbs([0.8, 0.3, 0.6, 0.7, 0.6, 0.2, 0.4, 0.4, 0.9, 0.3]);

  const acc = { weakAcc: accuracy(weak, labels), ceilingAcc: accuracy(ceiling, labels), w2sAcc: accuracy(w2s, labels) };
  const cell = bootstrapCell({ labels, weak, ceiling, w2s }, { seed: 1, resamples: 1000 });
  const groups = medianPgrBy(
    [
      { task: 'toy', method: 'xent', pgr: 0.4 },
      { task: 'toy', method: 'xent', pgr: null },
      { task: 'toy', method: 'xent', pgr: 0.6 },
    ],
    ['task', 'method'],
  );
  const f = (x: number | null) => (x === null ? 'null' : x.toFixed(3));
  return [
    `accuracy weak ${f(acc.weakAcc)}, ceiling ${f(acc.ceilingAcc)}, w2s ${f(acc.w2sAcc)}`,
    `w2s AUROC ${f(auroc(w2s, labels).value)}, ECE ${f(ece(w2s, labels))}, misfit to weak ${f(misfit(w2s, weak))}`,
    `PGR ${f(pgr(acc).value)}, 95% interval [${f(cell.pgr.low)}, ${f(cell.pgr.high)}], ` +
      `${cell.pgr.undefinedResamples} of ${cell.resamples} resamples undefined`,
    `median PGR toy/xent ${f(groups[0]!.medianPgr)} (${groups[0]!.nullCount} null)`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.log(runExample().join('\n'));
