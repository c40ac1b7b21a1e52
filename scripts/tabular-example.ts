// Writes the two numeric files of the README's "your data" example into a folder, with the
// manifest a user would write first:
//   digits.csv    64 pixel columns (MNIST digits, centre 24×24 averaged over 3×3 cells) and label even/odd
//   cancer.jsonl  a 30-number `features` list and label benign/malignant: generated (no tabular data set
//                 ships in an npm package): 5 latent factors, label a nonlinear function of them, seen
//                 through a random 30×5 mixing with a tanh and noise
//   tabular.yaml  both tasks, mlp xs → l, two seeds
// Usage: node --conditions=w2s-source --import tsx scripts/tabular-example.ts <folder>
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '@w2s/core/base';
import { loadTask } from '@w2s/tasks';

export function writeDigitsCsv(file: string, rows = 3000): void {
  const digits = loadTask('digits-parity');
  const header = ['id', ...Array.from({ length: 64 }, (_, i) => `px${i}`), 'label'];
  const lines = [header.join(',')];
  for (let r = 0; r < rows; r++) {
    const image = digits.examples.x!.subarray(r * 784, (r + 1) * 784);
    const pixels: number[] = [];
    for (let i = 0; i < 8; i++) {
      for (let j = 0; j < 8; j++) {
        let sum = 0;
        for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) sum += image[(2 + 3 * i + a) * 28 + 2 + 3 * j + b]!;
        pixels.push(Math.round((sum / 9) * 16));
      }
    }
    lines.push(`d${r},${pixels.join(',')},${digits.classNames[digits.examples.labels[r]!]}`);
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export function writeCancerJsonl(file: string, rows = 3000, seed = 7): void {
  const rng = new Rng(seed);
  const latent = 5;
  const dim = 30;
  const mixing = Array.from({ length: dim * latent }, () => rng.normal() / Math.sqrt(latent));
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const z = Array.from({ length: latent }, () => rng.normal());
    // Interactions a linear model cannot fit: the sign of a product, and a radius.
    const score = z[0]! * z[1]! + 0.8 * (z[2]! * z[2]! + z[3]! * z[3]! - 2) + 0.5 * z[4]!;
    const features = Array.from({ length: dim }, (_, d) => {
      let v = 0;
      for (let k = 0; k < latent; k++) v += mixing[d * latent + k]! * z[k]!;
      return Number((Math.tanh(v) + 0.15 * rng.normal()).toFixed(4));
    });
    lines.push(JSON.stringify({ id: `c${r}`, features, label: score > 0 ? 'malignant' : 'benign' }));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export const TABULAR_MANIFEST = `name: tabular
seeds: [0, 1]
splits: { nDocs: 2000, nTest: 800 }
tasks:
  - { file: digits.csv, label: label, features: [${Array.from({ length: 64 }, (_, i) => `px${i}`).join(', ')}] }
  - { file: cancer.jsonl, label: label, features: features }
ladders:
  vector: { family: mlp, weak: [xs], strong: [l] }
methods:
  - name: naive
  - name: logconf
    loss: { name: logconf, auxCoef: 0.5 }
`;

export function writeTabularExample(folder: string): void {
  mkdirSync(folder, { recursive: true });
  writeDigitsCsv(join(folder, 'digits.csv'));
  writeCancerJsonl(join(folder, 'cancer.jsonl'));
  writeFileSync(join(folder, 'tabular.yaml'), TABULAR_MANIFEST);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const folder = process.argv[2];
  if (!folder) {
    console.error('usage: scripts/tabular-example.ts <folder>');
    process.exit(2);
  }
  writeTabularExample(folder);
  console.log(`wrote ${join(folder, 'digits.csv')}, ${join(folder, 'cancer.jsonl')} and ${join(folder, 'tabular.yaml')}`);
}
