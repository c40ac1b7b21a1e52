// Nx sees what an experiment runs: `nx graph` has an edge from every experiment project (each
// experiments/**/*.yaml with a `name:`) to the runner and to every lib, so `nx affected` reruns
// experiments after a lib change; experiment `run` targets never run in parallel with each other.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir, workspaceRoot } from './helpers.js';

interface Graph {
  graph: {
    nodes: Record<string, { data: { root: string; tags?: string[]; targets: Record<string, { parallelism?: boolean; options?: { command?: string } }> } }>;
    dependencies: Record<string, { source: string; target: string }[]>;
  };
}

let graph: Graph['graph'];
beforeAll(() => {
  const file = join(tempDir('w2s-nx-'), 'graph.json');
  execFileSync(process.execPath, [join(workspaceRoot, 'node_modules/nx/dist/bin/nx.js'), 'graph', `--file=${file}`], {
    cwd: workspaceRoot,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    stdio: 'ignore',
    timeout: 120_000,
  });
  graph = (JSON.parse(readFileSync(file, 'utf8')) as Graph).graph;
}, 180_000);

/** Every manifest under experiments/ with its `name:`, read here independently of the plugin. */
function manifests(dir = join(workspaceRoot, 'experiments')): { file: string; name: string }[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return manifests(path);
    if (!/\.(ya?ml|json)$/.test(entry.name)) return [];
    const name = (parseYaml(readFileSync(path, 'utf8')) as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? [{ file: relative(workspaceRoot, path), name }] : [];
  });
}

const packageNames = (parent: string) =>
  readdirSync(join(workspaceRoot, parent)).map((d) => (JSON.parse(readFileSync(join(workspaceRoot, parent, d, 'package.json'), 'utf8')) as { name: string }).name);

describe('nx graph of the experiments', () => {
  it('has one project per named manifest, nested folders included, named by the manifest', () => {
    const found = manifests();
    expect(found.map((m) => m.file)).toEqual(expect.arrayContaining(['experiments/quickstart.yaml', 'experiments/llm/debate-llm.yaml', 'experiments/debate-judges.yaml']));
    for (const { file, name } of found) {
      expect(graph.nodes[name], `${file} as project ${name}`).toBeDefined();
      expect(graph.nodes[name]!.data.targets.run!.options!.command).toBe(`node apps/runner/bin/w2s.js run ${file}`);
    }
    const experiments = Object.entries(graph.nodes).filter(([, n]) => n.data.tags?.includes('experiment'));
    expect(experiments.map(([name]) => name).sort()).toEqual(found.map((m) => m.name).sort());
    expect(graph.nodes['debate-llm']!.data.tags).toContain('llm');
  });

  it('draws an edge from every experiment to the runner and to every lib', () => {
    const used = [...packageNames('libs'), ...packageNames('apps')].sort();
    expect(used).toContain('@w2s/core');
    for (const { name } of manifests()) {
      const targets = (graph.dependencies[name] ?? []).map((d) => d.target).sort();
      expect(targets, name).toEqual(used);
    }
  });

  it('never runs two experiment runs at once', () => {
    for (const { name } of manifests()) expect(graph.nodes[name]!.data.targets.run!.parallelism, name).toBe(false);
  });
});
