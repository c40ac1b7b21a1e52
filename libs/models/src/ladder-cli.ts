// The ladder report from the command line (npm run ladder -w @w2s/models, or nx run models:ladder):
//   --tasks digits-parity,digits-gt4   --families mlp,cnn   --sizes xs,l   --seed 0   --split-seed 1000   --cache DIR
//   --modes probe,finetune   (default probe; both compare the default weak → strong gap per mode)
//   --models   (print the size ladders, as `w2s models`, and exit)
// Progress goes to stderr, the report (markdown) to stdout.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { ArtifactCache, initBackend, isUserError, UserError } from '@w2s/core';
import { formatLadderReport, formatLadderTable, LADDER_MODES, LADDER_SPLIT_SEED, runLadder, type LadderMode } from './ladder.js';

const DIGIT_TASKS = ['digits-parity', 'digits-gt4', 'digits-prime'];
const ALL_TASKS = [...DIGIT_TASKS, 'synthetic-linear', 'synthetic-overlap', 'spam', 'sotu-party'];

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        tasks: { type: 'string', default: ALL_TASKS.join(',') },
        families: { type: 'string' },
        sizes: { type: 'string' },
        modes: { type: 'string', default: 'probe' },
        seed: { type: 'string', default: '0' },
        'split-seed': { type: 'string', default: String(LADDER_SPLIT_SEED) },
        cache: { type: 'string' },
        models: { type: 'boolean', default: false },
      },
    }));
  } catch (e) {
    throw new UserError((e as Error).message, 'ladder');
  }
  if (values.models) {
    process.stdout.write(formatLadderTable());
    return 0;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new UserError(`must be an integer, got "${values.seed}"`, '--seed');
  const splitSeed = Number(values['split-seed']);
  if (!Number.isInteger(splitSeed)) throw new UserError(`must be an integer, got "${values['split-seed']}"`, '--split-seed');
  const list = (s?: string) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);
  const tasks = values.tasks === 'digits' ? DIGIT_TASKS : list(values.tasks)!;
  const modes = list(values.modes) ?? [];
  const badMode = modes.find((m) => !(LADDER_MODES as readonly string[]).includes(m));
  if (badMode !== undefined || modes.length === 0) throw new UserError(`must be a comma-separated list of ${LADDER_MODES.join(', ')}, got "${values.modes}"`, '--modes');
  const backend = await initBackend();
  const cache = new ArtifactCache(values.cache);
  const start = performance.now();
  let last = '';
  const rows = await runLadder({
    tasks, families: list(values.families), sizes: list(values.sizes), modes: modes as LadderMode[], seed, splitSeed, cache,
    onProgress: (msg, frac) => {
      // One line per stage; pretraining steps update in place on a terminal.
      const stage = msg.replace(/ step \d+\/\d+.*$/, '');
      const line = `[${(100 * frac).toFixed(0).padStart(3)}%] ${msg}`;
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${line}${stage !== msg ? '' : '\n'}`);
      else if (stage !== last) process.stderr.write(`${line}\n`);
      last = stage;
    },
  });
  process.stdout.write(formatLadderReport(rows));
  const seconds = (performance.now() - start) / 1000;
  const pretrained = rows.filter((r) => r.pretrainedNow).length;
  process.stdout.write(`\n${rows.length} models, ${pretrained} pretrained now, ${seconds.toFixed(0)} s on ${backend.name} (${backend.kernels}), seed ${seed}, split seed ${splitSeed}\n`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(isUserError(e) ? `ladder: ${e.message}` : e);
      process.exit(isUserError(e) ? e.exitCode : 1);
    },
  );
}
