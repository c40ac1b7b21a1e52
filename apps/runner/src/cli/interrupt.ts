// Ctrl-C (SIGINT) or kill (SIGTERM) during `w2s run`: stop at once and say what was kept. Nothing
// needs undoing: every artifact and table is published by an atomic rename, and worker processes
// end with this one (parent-watch.ts).
import { relative } from 'node:path';
import type { RunStatus } from '../execute/run.js';


const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** The line printed when a run is stopped by `signal`. */
export function stoppedMessage(signal: NodeJS.Signals, manifestPath: string, status: RunStatus): string {
  const rel = (path: string) => relative(process.cwd(), path) || '.';
  const kept =
    `${status.stagesComputed} stage${status.stagesComputed === 1 ? '' : 's'} computed in this run ` +
    `${status.cacheDir ? `are kept in the cache (${rel(status.cacheDir)})` : 'are kept in the cache'}`;
  const tables = status.outDir ? `; ${rel(status.outDir)}/ holds the tables of the cells finished so far` : '';
  return `w2s: stopped by ${signal}: ${kept}${tables}. Rerun \`w2s run ${rel(manifestPath)}\` to resume: cached stages are not computed again.`;
}

/** Until the returned function is called, SIGINT/SIGTERM/SIGHUP print `message(signal)` and exit. */
export function stopOnSignal(message: (signal: NodeJS.Signals) => string): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${message(signal)}\n`);
    process.exit(EXIT_CODES[signal] ?? 1);
  };
  const signals = Object.keys(EXIT_CODES) as NodeJS.Signals[];
  for (const s of signals) process.on(s, onSignal);
  return () => {
    for (const s of signals) process.off(s, onSignal);
  };
}
