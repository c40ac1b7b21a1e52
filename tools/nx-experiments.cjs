/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- an Nx plugin is loaded with require() */
// Local Nx plugin: every manifest under experiments/ (experiments/**/*.yaml, .yml or .json) that
// has a top-level `name:` is a project of that name, with `run` and `plan` targets. The manifest is
// the run's input and results/<name>/ its output.
// - Edges: a run executes the runner, which imports every @w2s lib, so each experiment gets
//   implicit dependencies on the runner and on every lib (read from libs/*/package.json): a lib
//   change makes the experiment affected (`nx affected -t run`).
// - `run` has `parallelism: false`: `nx run-many -t run` runs experiments one after another, since
//   each already starts a worker process per core.
// - Manifests under experiments/llm/ need an OpenAI-compatible endpoint: tagged `llm`, so
//   `nx run-many -t run --exclude='tag:llm'` runs the offline ones.
const { existsSync, readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

/** The manifest's top-level `name:` (a plain scalar or quoted), or undefined. */
function manifestName(text, isJson) {
  if (isJson) {
    try {
      const name = JSON.parse(text).name;
      return typeof name === 'string' && name !== '' ? name : undefined;
    } catch {
      return undefined;
    }
  }
  const match = /^name:[ \t]*(['"]?)([^'"#\s]+)\1[ \t]*(#.*)?$/m.exec(text);
  return match ? match[2] : undefined;
}

/** Package names of the workspace's libs and the runner: what every experiment runs. */
function runnerAndLibs(workspaceRoot) {
  const libsDir = join(workspaceRoot, 'libs');
  const dirs = readdirSync(libsDir).map((lib) => join(libsDir, lib));
  return [join(workspaceRoot, 'apps/runner'), ...dirs]
    .filter((dir) => existsSync(join(dir, 'package.json')))
    .map((dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name)
    .sort();
}

const createNodes = [
  'experiments/**/*.{yaml,yml,json}',
  (manifestFiles, _options, context) => {
    const dependencies = runnerAndLibs(context.workspaceRoot);
    return manifestFiles.flatMap((file) => {
      const name = manifestName(readFileSync(join(context.workspaceRoot, file), 'utf8'), file.endsWith('.json'));
      if (name === undefined) return [];
      const llm = file.startsWith('experiments/llm/');
      return [
        [
          file,
          {
            projects: {
              [file.replace(/\.(ya?ml|json)$/, '')]: {
                name,
                projectType: 'application',
                tags: llm ? ['experiment', 'llm'] : ['experiment'],
                implicitDependencies: dependencies,
                targets: {
                  run: {
                    executor: 'nx:run-commands',
                    options: { command: `node apps/runner/bin/w2s.js run ${file}`, cwd: '{workspaceRoot}' },
                    cache: false,
                    parallelism: false,
                    inputs: [`{workspaceRoot}/${file}`, '^production', { externalDependencies: ['@tensorflow/tfjs'] }],
                    outputs: [`{workspaceRoot}/results/${name}`],
                  },
                  plan: {
                    executor: 'nx:run-commands',
                    options: { command: `node apps/runner/bin/w2s.js plan ${file}`, cwd: '{workspaceRoot}' },
                  },
                },
              },
            },
          },
        ],
      ];
    });
  },
];

module.exports = { name: 'w2s-experiments', createNodes, createNodesV2: createNodes, manifestName };