// One vitest setup for every project: source-first resolution of @w2s/* packages
// (the "w2s-source" export condition points at src/index.ts), generous timeouts for
// tensor work on 2 cores, and no file-level parallelism beyond the cores we have.
import { defineProject } from 'vitest/config';

export const sourceConditions = ['w2s-source', 'node', 'import', 'module', 'default'];

export function projectConfig(name: string) {
  return defineProject({
    resolve: { conditions: sourceConditions },
    ssr: { resolve: { conditions: sourceConditions, externalConditions: ['w2s-source'] } },
    test: {
      name,
      environment: 'node',
      include: ['**/*.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
    },
  });
}
