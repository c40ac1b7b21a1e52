// Each command loads what it needs when it runs (dynamic import): `w2s --help` and `w2s --version`
// must not load tfjs, apache-arrow, zod or bullmq (startup under 0.5 s, see the README).
import { relative } from 'node:path';
import type { RunStatus } from '../execute/run.js';
import { embedCommand } from './embed-command.js';
import { onePositional, parseOptions } from './options.js';
import type { Command } from './command.js';
import { reportCommand, showCommand } from './results-commands.js';
import { mergeCommand, runScaleOptions, runScaleUsage, runShardCommand, scaleChoice, workerCommand } from './scale-commands.js';

export type { Command } from './command.js';

export const commands: Record<string, Command> = {
  run: {
    summary: 'run an experiment manifest; writes Arrow tables and a report',
    usage: `w2s run <manifest.yaml> [--backend auto|wasm|cpu|tensorflow|tensorflow-gpu] [--cache DIR] [--out DIR]\n${runScaleUsage}`,
    async run(args) {
      const { values, positionals } = parseOptions('run', args, {
        backend: { type: 'string' },
        cache: { type: 'string' },
        out: { type: 'string' },
        ...runScaleOptions,
      });
      if (values.help) return help('run');
      const [{ loadManifest }, { runExperiment, summaryTable }, { stopOnSignal, stoppedMessage }] = await Promise.all([
        import('../manifest/manifest.js'),
        import('../execute/run.js'),
        import('./interrupt.js'),
      ]);
      const loaded = loadManifest(onePositional('run', positionals, 'manifest file'));
      const scale = await scaleChoice(values);
      const status: RunStatus = { stagesComputed: 0, stagesCached: 0 };
      stopOnSignal((signal) => stoppedMessage(signal, loaded.path, status));
      if (scale.shard) return runShardCommand(loaded, scale.shard, values);
      const started = performance.now();
      const outcome = await runExperiment(loaded, { backend: values.backend, cacheDir: values.cache, output: values.out, computeStages: scale.computeStages, status });
      console.log(summaryTable(outcome.summary));
      const rel = relative(process.cwd(), outcome.outDir) || '.';
      console.log(
        `\n${outcome.rows.length} cells · ${outcome.stagesComputed} stages computed, ${outcome.stagesCached} from cache · ` +
          `${((performance.now() - started) / 1000).toFixed(1)} s · results in ${rel}/ (${[...outcome.tables, 'report.md', 'report.html'].join(', ')})`,
      );
      return 0;
    },
  },
  plan: {
    summary: 'print the cells and stages of a manifest and what is already cached',
    usage: 'w2s plan <manifest.yaml> [--cache DIR]',
    async run(args) {
      const { values, positionals } = parseOptions('plan', args, { cache: { type: 'string' } });
      if (values.help) return help('plan');
      const [{ ArtifactCache }, { loadManifest }, { dataWarnings, planExperiment }, { outputOutsideWorkspaceWarning }] = await Promise.all([
        import('@w2s/core/base'),
        import('../manifest/manifest.js'),
        import('../plan/plan.js'),
        import('../execute/run.js'),
      ]);
      const loaded = loadManifest(onePositional('plan', positionals, 'manifest file'));
      const plan = planExperiment(loaded);
      const cache = new ArtifactCache(values.cache);
      const outsideWarning = outputOutsideWorkspaceWarning(loaded);
      if (outsideWarning) console.error(outsideWarning);
      for (const warning of dataWarnings(plan)) console.error(warning);
      console.log(`${loaded.manifest.name}: ${plan.cells.length} cells`);
      for (const cell of plan.cells) console.log(`  cell  ${cell.id}`);
      let hits = 0;
      console.log(`${plan.stages.length} stages (cache ${cache.root}):`);
      for (const stage of plan.stages) {
        // check, not has: planning only looks; `run` moves a damaged artifact aside and recomputes it.
        const problem = cache.check(stage.key);
        const hit = problem === undefined;
        if (hit) hits++;
        const damaged = hit || problem === 'absent' ? '' : `  (corrupt: ${problem}; run recomputes it)`;
        console.log(`  ${hit ? 'cached ' : 'to run '} ${stage.label}  ${stage.key}${damaged}`);
      }
      console.log(`${hits}/${plan.stages.length} stages cached`);
      return 0;
    },
  },
  schema: {
    summary: 'print the manifest JSON Schema (for editor completion)',
    usage: 'w2s schema',
    async run(args) {
      const { values } = parseOptions('schema', args, {});
      if (values.help) return help('schema');
      const { manifestJsonSchema } = await import('../manifest/manifest.js');
      console.log(JSON.stringify(manifestJsonSchema(), null, 2));
      return 0;
    },
  },
  tasks: {
    summary: 'list the built-in tasks',
    usage: 'w2s tasks',
    async run(args) {
      const { values } = parseOptions('tasks', args, {});
      if (values.help) return help('tasks');
      const { formatTaskTable } = await import('@w2s/tasks');
      console.log(formatTaskTable());
      return 0;
    },
  },
  models: {
    summary: 'list the model families and their size ladders',
    usage: 'w2s models [manifest.yaml]   (with a manifest: also the mlp parameter counts at each numeric task\'s input width)',
    async run(args) {
      const { values, positionals } = parseOptions('models', args, {});
      if (values.help) return help('models');
      const [{ formatLadderTable }, { loadManifest }, { planExperiment }] = await Promise.all([
        import('@w2s/models'),
        import('../manifest/manifest.js'),
        import('../plan/plan.js'),
      ]);
      const tasks = positionals.length > 0 ? planExperiment(loadManifest(onePositional('models', positionals, 'manifest file'))).tasks.map((t) => t.dataset) : [];
      console.log(formatLadderTable(tasks));
      return 0;
    },
  },
  report: reportCommand,
  show: showCommand,
  worker: workerCommand,
  merge: mergeCommand,
  embed: embedCommand,
  ladder: {
    summary: 'train every size of each family on ground truth of each task; accuracy with 95% intervals',
    usage: 'w2s ladder [--tasks digits|name,name] [--families mlp,cnn,text,embedding] [--sizes xs,s] [--seed N] [--split-seed N] [--cache DIR]',
    async run(args) {
      if (args.includes('--help') || args.includes('-h')) return help('ladder');
      const { ladderCommand } = await import('@w2s/models');
      return ladderCommand(args);
    },
  },
  backend: {
    summary: 'show which tensor backend would be used',
    usage: 'w2s backend [--backend NAME]',
    async run(args) {
      const { values } = parseOptions('backend', args, { backend: { type: 'string' } });
      if (values.help) return help('backend');
      const { initBackend } = await import('@w2s/core');
      const info = await initBackend(values.backend);
      console.log(`backend: ${info.name} (kernels: ${info.kernels}; requested: ${info.requested})`);
      return 0;
    },
  },
};

function help(name: string): number {
  const c = commands[name]!;
  console.log(`${c.usage}\n\n${c.summary}`);
  return 0;
}
