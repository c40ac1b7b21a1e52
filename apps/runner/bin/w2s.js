#!/usr/bin/env node
// The `w2s` command. Two ways to run, chosen here:
// - built JavaScript (dist/cli/main.js): what a production install (`npm ci --omit=dev`) has; needs
//   only production dependencies and starts fast;
// - the TypeScript sources through tsx (a devDependency), with the "w2s-source" export condition:
//   what a fresh clone uses, so development needs no build step.
// The sources win when W2S_FROM_SOURCE=1, or when tsx is installed and dist/ is missing or older
// than a source file of the workspace (so an edit is never hidden by a stale build);
// W2S_FROM_SOURCE=0 insists on dist/.
// No launcher child: the PID a user holds is the runner, so `kill` (SIGTERM or SIGKILL) stops the
// run itself.
/* global process, console, URL */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const runnerDir = fileURLToPath(new URL('..', import.meta.url));
const distMain = new URL('../dist/cli/main.js', import.meta.url);
const sourceMain = new URL('../src/cli/main.ts', import.meta.url);

function tsxInstalled() {
  try {
    createRequire(import.meta.url).resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

/** The newest modification time (ms) of a .ts file under `dir`, recursively; 0 if none. */
function newestSource(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** dist/ is older than some source of the runner or of a workspace lib (libs/<name>/src). */
function distIsStale() {
  const built = statSync(distMain).mtimeMs;
  const libsDir = `${runnerDir}/../../libs`;
  const libs = existsSync(libsDir) ? readdirSync(libsDir).map((lib) => `${libsDir}/${lib}/src`) : [];
  return [`${runnerDir}/src`, ...libs].some((dir) => newestSource(dir) > built);
}

function useSources() {
  if (process.env.W2S_FROM_SOURCE === '0' || !existsSync(sourceMain) || !tsxInstalled()) return false;
  return process.env.W2S_FROM_SOURCE === '1' || !existsSync(distMain) || distIsStale();
}

if (useSources()) {
  // Hooks run last-registered first: tsx first, then this one, so tsx's resolver already sees the
  // condition that points @w2s/* packages at their sources.
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  const addSourceCondition = `export function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...new Set([...context.conditions, 'w2s-source'])] });
}`;
  register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`, pathToFileURL('./'));
  await import(sourceMain.href);
} else if (existsSync(distMain)) {
  await import(distMain.href);
} else {
  console.error('w2s: this copy has neither a build (apps/runner/dist/) nor tsx to run the sources: run `npm run build` (needs the devDependencies), or `npm ci` for development');
  process.exit(1);
}
