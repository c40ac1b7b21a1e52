/** `w2s tasks`: what every built-in task is, how big, how balanced, and where its data come from. */
import { digitPretrainSet, TEXT_CORPORA, textPretrainCorpus } from './pretrain.js';
import { taskRegistry } from './registry.js';
import type { Dataset, Modality } from './types.js';

export interface TaskInfo {
  name: string;
  modality: Modality;
  description: string;
  source: string;
  numExamples: number;
  classNames: string[];
  classCounts: number[];
  /** What one example is, e.g. "28×28×1 image", "text", "20-d vector; embeddings strong 16-d, weak 4-d". */
  input: string;
}

export function classCounts(dataset: Dataset): number[] {
  const counts = new Array<number>(dataset.numClasses).fill(0);
  for (const y of dataset.examples.labels) counts[y]!++;
  return counts;
}

export function describeInput(dataset: Dataset): string {
  const e = dataset.examples;
  const parts: string[] = [];
  if (dataset.modality === 'image' && e.shape) parts.push(`${e.shape.join('×')} image`);
  else if (e.x && e.dim) parts.push(`${e.dim}-d vector`);
  if (e.text) parts.push('text');
  if (e.embeddings) {
    const cols = Object.entries(e.embeddings).map(([name, c]) => `${name} ${c.dim}-d`);
    parts.push(`embeddings ${cols.join(', ')}`);
  }
  return parts.join('; ');
}

/** Loads every built-in task (with default options) and describes it. */
export function listTasks(): TaskInfo[] {
  return Object.values(taskRegistry).map((def) => {
    const dataset = def.load(def.schema.parse({ name: def.name }));
    return {
      name: def.name,
      modality: def.modality,
      description: def.description,
      source: def.source,
      numExamples: dataset.examples.labels.length,
      classNames: dataset.classNames,
      classCounts: classCounts(dataset),
      input: describeInput(dataset),
    };
  });
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((r) => r[j]!.length)));
  return rows.map((r) => r.map((cell, j) => (j === r.length - 1 ? cell : cell.padEnd(widths[j]!))).join('  ').trimEnd()).join('\n');
}

function balance(info: TaskInfo): string {
  const total = info.classCounts.reduce((a, b) => a + b, 0);
  return info.classNames.map((c, i) => `${c} ${((100 * info.classCounts[i]!) / total).toFixed(1)}%`).join(' / ');
}

/** The `w2s tasks` table, followed by the pretraining data that ship with the tasks. */
export function formatTaskTable(tasks: TaskInfo[] = listTasks()): string {
  const rows = [
    ['task', 'modality', 'examples', 'class balance', 'input', 'source'],
    ...tasks.map((t) => [t.name, t.modality, String(t.numExamples), balance(t), t.input, t.source]),
  ];
  const digits = digitPretrainSet();
  const corpora = Object.values(TEXT_CORPORA);
  const all = new Set(textPretrainCorpus());
  const pretrainRows = [
    ['pretraining data', 'kind', 'items', 'what', 'source'],
    ['digits-pretrain', 'image', String(digits.labels.length), 'MNIST split disjoint from every digit task; label = digit identity', 'mnist'],
    ...corpora.map((c) => {
      const items = c.load().filter((t) => all.has(t)).length;
      return [c.name, 'text', String(items), c.description, c.source];
    }),
  ];
  return `${table(rows)}\n\n${table(pretrainRows)}\n\nSynthetic tasks take options (n, dims, noise, seed); sizes shown are the defaults.`;
}
