#!/usr/bin/env node
// The `w2s` command. It runs the TypeScript sources directly (tsx) with the "w2s-source" export
// condition, so a fresh clone needs no build step.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const result = spawnSync(
  process.execPath,
  ['--conditions=w2s-source', '--import', tsx, cli, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status ?? 1);
