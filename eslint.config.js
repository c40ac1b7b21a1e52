// Lint = typescript-eslint's recommended rules plus the layer rule; typecheck is a separate target (tsc).
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Layer rule (README, Layout): every project's package.json carries an Nx tag `layer:<n>`, and its
 * sources may import only @w2s packages of a strictly lower layer (so no cycles, and two libs of
 * one layer never import each other). Enforced with eslint's own no-restricted-imports, built from
 * the tags: @nx/enforce-module-boundaries would do the same, but @nx/eslint-plugin is not
 * published for this Nx major (24). Tests (`*.test.ts`, `test-utils/`) are exempt: they may use a
 * higher lib as a devDependency (e.g. a weak teacher to test the student).
 */
const PROJECTS = [
  'libs/native',
  'libs/core',
  'libs/tasks',
  'libs/models',
  'libs/metrics',
  'libs/confidence-loss',
  'libs/debate',
  'libs/weak-teacher',
  'libs/strong-student',
  'apps/runner',
];

function layerOf(dir) {
  const pkg = JSON.parse(readFileSync(new URL(`${dir}/package.json`, import.meta.url), 'utf8'));
  const tag = (pkg.nx?.tags ?? []).find((t) => t.startsWith('layer:'));
  if (!tag) throw new Error(`${dir}/package.json: no Nx tag "layer:<n>" (see the layer rule in eslint.config.js)`);
  return { dir, name: pkg.name, layer: Number(tag.slice('layer:'.length)) };
}

const projects = PROJECTS.map(layerOf);

const layerRules = projects.map(({ dir, name, layer }) => {
  const forbidden = projects.filter((p) => p.name !== name && p.layer >= layer);
  const allowed = projects.filter((p) => p.layer < layer).map((p) => p.name);
  return {
    files: [`${dir}/**/*.ts`],
    ignores: ['**/*.test.ts', '**/test-utils/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((p) => ({
            group: [p.name, `${p.name}/*`],
            message: `layer rule: ${name} (layer ${layer}) may not import ${p.name} (layer ${p.layer}); it may import ${allowed.join(', ') || 'no @w2s package'}. Move shared code down a layer.`,
          })),
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.w2s-cache/**', 'results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layerRules,
);
