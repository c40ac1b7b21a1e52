#!/usr/bin/env node
// The `w2s` command. It runs the TypeScript sources in this process (tsx's loader, registered
// here) with the "w2s-source" export condition, so a fresh clone needs no build step. No launcher
// child: the PID a user holds is the runner, so `kill` (SIGTERM or SIGKILL) stops the run itself.
import { register } from 'node:module';
import { pathToFileURL } from 'node:url';

// Hooks run last-registered first: tsx first, then this one, so tsx's resolver already sees the
// condition that points @w2s/* packages at their sources.
const { register: registerTsx } = await import('tsx/esm/api');
registerTsx();
const addSourceCondition = `export function resolve(specifier, context, next) {
  return next(specifier, { ...context, conditions: [...new Set([...context.conditions, 'w2s-source'])] });
}`;
register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`, pathToFileURL('./'));
await import(new URL('../src/cli/main.ts', import.meta.url).href);
