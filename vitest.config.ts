import { defineConfig } from 'vitest/config';

// `npm test` runs every project; each lib/app also runs alone with `nx run <name>:test`.
// The JSON report feeds the pass/fail line that .ci/run prints.
export default defineConfig({
  test: {
    projects: ['libs/*/vitest.config.ts', 'apps/*/vitest.config.ts', 'test/vitest.config.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    maxWorkers: 2,
  },
});
