// No import cycle anywhere in the libraries and the runner (issue 15), found with madge over the
// TypeScript sources (relative imports written with .js, as ESM needs, resolve to the .ts files).
// Cycles between packages are also ruled out by the layer rules (test/layers.test.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import madge from 'madge';
import { describe, expect, it } from 'vitest';
import { tempDir, workspaceRoot } from './helpers.js';

const graphOf = (dirs: string[], baseDir: string) =>
  madge(dirs.map((d) => join(baseDir, d)), { baseDir, fileExtensions: ['ts'], excludeRegExp: [/node_modules/, /[/\\]dist[/\\]/, /\.d\.ts$/], tsConfig: join(workspaceRoot, 'tsconfig.base.json') });

describe('import cycles', () => {
  it('finds a cycle when there is one (the check works on .js-suffixed TypeScript imports)', async () => {
    const dir = tempDir('w2s-cycle-');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
    writeFileSync(join(dir, 'src', 'b.ts'), "import { a } from './a.js';\nexport const b = () => a;\n");
    expect((await graphOf(['src'], dir)).circular()).toEqual([['src/a.ts', 'src/b.ts']]);
  }, 120_000);

  it('there is none in libs/ and apps/', async () => {
    const graph = await graphOf(['libs', 'apps'], workspaceRoot);
    // The sources were really read: the CLI entry imports the command table.
    expect(graph.obj()['apps/runner/src/cli/main.ts']).toContain('apps/runner/src/cli/commands.ts');
    expect(graph.circular()).toEqual([]);
  }, 300_000);
});
