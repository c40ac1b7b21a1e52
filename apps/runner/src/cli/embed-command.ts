// `w2s embed`: embeddings of a text task's texts from an OpenAI-compatible server, one column per
// model, written as an Arrow file for the `embedding` family (see @w2s/tasks embedTask).
import { join, relative, resolve } from 'node:path';
import { ArtifactCache, UserError } from '@w2s/core/base';
import type { Dataset } from '@w2s/tasks';
import type { Command } from './command.js';
import { intOption, onePositional, parseOptions } from './options.js';

const USAGE = `w2s embed <task name | manifest.yaml> --endpoint URL --model NAME [--model NAME …] [--out FILE|DIR]
          [--api-key-env VAR] [--batch-size N] [--concurrency N] [--timeout-ms N] [--max-retries N] [--cache DIR]

Calls \`<endpoint>/embeddings\` (vLLM, llama.cpp server, Ollama, text-embeddings-inference, a hosted
API) for every text of the task, or of each text task of a manifest, and writes an Arrow file with
the task's columns (id, text, label, group, split) and one embedding column per model, ready for
  tasks: [{ file: <out>, label: label, text: text, embeddings: [<model>, …] }]
  ladders: { embedding: { family: embedding, weak: [<small model>], strong: [<large model>] } }
The API key is read from the environment variable --api-key-env (default OPENAI_API_KEY) only.
Embeddings are cached per (endpoint, model, text) under <cache>/llm-embeddings: a rerun sends nothing.`;

export const embedCommand: Command = {
  summary: 'embed a text task with LLMs behind an OpenAI-compatible /v1/embeddings (for the embedding family)',
  usage: USAGE,
  async run(args) {
    const { values, positionals } = parseOptions('embed', args, {
      endpoint: { type: 'string' },
      model: { type: 'string', multiple: true },
      out: { type: 'string' },
      'api-key-env': { type: 'string' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'max-retries': { type: 'string' },
      cache: { type: 'string' },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const source = onePositional('embed', positionals, 'task name or manifest file');
    if (!values.endpoint) throw new UserError('give the server with --endpoint, e.g. http://127.0.0.1:8000/v1', 'w2s embed');
    if (!/^https?:\/\//.test(values.endpoint)) throw new UserError(`must be an http(s) URL, got "${values.endpoint}"`, '--endpoint');
    const models = values.model ?? [];
    if (models.length === 0) throw new UserError('give at least one --model (the names the server knows)', 'w2s embed');
    // Loaded here, not at the top: `w2s --help` must not load the tasks lib (apache-arrow, zod).
    const [{ embedTask, loadTask }, { createProgress }] = await Promise.all([import('@w2s/tasks'), import('../execute/progress.js')]);
    const isManifest = MANIFEST_FILE.test(source);
    const tasks = isManifest ? await textTasksOfManifest(source) : [loadTask(source)];
    const outOf = (task: Dataset) =>
      isManifest ? resolve(values.out ?? '.', `${task.name}.embeddings.arrow`) : resolve(values.out ?? `${task.name}.embeddings.arrow`);
    const cacheDir = join(new ArtifactCache(values.cache).root, 'llm-embeddings');
    const progress = createProgress(tasks.length);
    try {
      for (const task of tasks) {
        const out = outOf(task);
        const dims = await embedTask(task, {
          baseUrl: values.endpoint,
          models,
          out,
          cacheDir,
          apiKeyEnv: values['api-key-env'],
          ...(values['batch-size'] && { batchSize: intOption(values['batch-size'], '--batch-size', 1) }),
          ...(values.concurrency && { concurrency: intOption(values.concurrency, '--concurrency', 1) }),
          ...(values['timeout-ms'] && { timeoutMs: intOption(values['timeout-ms'], '--timeout-ms', 1) }),
          ...(values['max-retries'] && { maxRetries: intOption(values['max-retries'], '--max-retries', 0) }),
          onProgress: (message, frac) => progress.note(`${task.name}: ${message}`, frac),
        });
        const columns = Object.entries(dims).map(([m, d]) => `${m} (${d}-d)`).join(', ');
        console.log(`${relative(process.cwd(), out) || out}: ${task.examples.ids.length} texts of ${task.name}; embedding columns ${columns}`);
      }
    } finally {
      progress.finish();
    }
    return 0;
  },
};

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

/** Every text task of a manifest. */
async function textTasksOfManifest(source: string): Promise<Dataset[]> {
  const [{ loadTask }, { loadManifest }] = await Promise.all([import('@w2s/tasks'), import('../manifest/manifest.js')]);
  const { manifest, baseDir } = loadManifest(source);
  const tasks = manifest.tasks.map((spec, i) => {
    try {
      return loadTask(spec, { baseDir });
    } catch (e) {
      if (e instanceof UserError) throw new UserError(e.message, `tasks[${i}]`);
      throw e;
    }
  });
  const text = tasks.filter((t) => t.examples.text !== undefined);
  if (text.length === 0) throw new UserError('has no text task to embed', source);
  return text;
}
