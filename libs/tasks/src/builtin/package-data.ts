import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { UserError } from '@w2s/core/base';

const require = createRequire(import.meta.url);

/** Directory of an installed npm package (data are read from there, offline, at run time). */
export function packageDir(name: string): string {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    throw new UserError(`data package "${name}" is not installed; run \`npm ci\` in the repository root`);
  }
}

/** Parse a JSON file shipped by a package. */
export function readPackageJson<T>(packageName: string, relativePath: string): T {
  const path = join(packageDir(packageName), relativePath);
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Memoize a loader for the life of the process: loading the same data twice is free. */
export function once<T>(load: () => T): () => T {
  let value: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      value = load();
      done = true;
    }
    return value as T;
  };
}
