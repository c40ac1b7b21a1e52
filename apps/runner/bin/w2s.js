#!/usr/bin/env node
// The `w2s` command. It runs the TypeScript sources directly (tsx) with the "w2s-source" export
// condition, so a fresh clone needs no build step.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const child = spawn(process.execPath, ['--conditions=w2s-source', '--import', tsx, cli, ...process.argv.slice(2)], { stdio: 'inherit' });
// SIGTERM (kill, systemd, Kubernetes: sent to this process only) is passed on, so `w2s worker`
// can finish its stage and stop. SIGINT and SIGHUP come from a terminal to the whole process
// group, the command included: this launcher just waits for it to end.
process.on('SIGTERM', () => child.kill('SIGTERM'));
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
});
