// The layer rule (README, Layout) is enforced by lint: a deliberate violation fails, an import of
// a lower layer passes, and the repository as it is has no violation.
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from './helpers.js';

const eslint = new ESLint({ cwd: workspaceRoot });

async function layerErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(workspaceRoot, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layer rule', () => {
  it.each([
    ['libs/strong-student/src/violation.ts', "import { trainWeakTeacher } from '@w2s/weak-teacher';", '@w2s/strong-student (layer 5) may not import @w2s/weak-teacher (layer 5)'],
    ['libs/models/src/violation.ts', "import type { LossConfig } from '@w2s/confidence-loss';", '@w2s/models (layer 3) may not import @w2s/confidence-loss (layer 3)'],
    ['libs/core/src/violation.ts', "export { loadTask } from '@w2s/tasks';", '@w2s/core (layer 1) may not import @w2s/tasks (layer 2)'],
    ['libs/tasks/src/violation.ts', "import { UserError } from '@w2s/core/base';\nimport { accuracy } from '@w2s/metrics';", '@w2s/tasks (layer 2) may not import @w2s/metrics (layer 3)'],
    ['libs/debate/src/violation.ts', "import { makeSplits } from '@w2s/runner';", '@w2s/debate (layer 4) may not import @w2s/runner (layer 6)'],
  ])('%s: a deliberate violation fails lint', async (file, source, expected) => {
    const errors = await layerErrors(file, `${source}\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
  });

  it('imports of lower layers pass; tests may use a higher lib (devDependency)', async () => {
    expect(await layerErrors('libs/weak-teacher/src/ok.ts', "import { labelsOf } from '@w2s/tasks';\nimport { accuracy } from '@w2s/metrics';\n")).toEqual([]);
    expect(await layerErrors('apps/runner/src/ok.ts', "import { trainStudent } from '@w2s/strong-student';\n")).toEqual([]);
    expect(await layerErrors('libs/strong-student/src/student.test.ts', "import { trainWeakTeacher } from '@w2s/weak-teacher';\n")).toEqual([]);
  });

  it('the sources of every lib and the runner have no violation', async () => {
    const results = await eslint.lintFiles(['libs/*/src/**/*.ts', 'apps/runner/src/**/*.ts']);
    const violations = results.flatMap((r) => r.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => `${r.filePath}: ${m.message}`));
    expect(violations).toEqual([]);
  });
});
