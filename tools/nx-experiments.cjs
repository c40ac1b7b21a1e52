// Local Nx plugin: every experiments/<name>.yaml is a project `<name>` with a `run` target.
// The manifest and the libs are its inputs, results/<name>/ its output, so Nx caches a run.
const { basename } = require('node:path');

const createNodes = [
  'experiments/*.{yaml,yml,json}',
  (manifestFiles) =>
    manifestFiles.map((file) => {
      const name = basename(file).replace(/\.(ya?ml|json)$/, '');
      return [
        file,
        {
          projects: {
            [`experiments/${name}`]: {
              name,
              projectType: 'application',
              tags: ['experiment'],
              targets: {
                run: {
                  executor: 'nx:run-commands',
                  options: { command: `node apps/runner/bin/w2s.js run ${file}`, cwd: '{workspaceRoot}' },
                  cache: false,
                  inputs: [`{workspaceRoot}/${file}`, { externalDependencies: ['@tensorflow/tfjs'] }],
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
      ];
    }),
];

module.exports = { name: 'w2s-experiments', createNodes, createNodesV2: createNodes };
