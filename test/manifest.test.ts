import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, w2s } from './helpers.js';

function manifestFile(dir: string, text: string): string {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, text);
  return file;
}

describe('invalid manifests', () => {
  it('name every bad path, exit 2, no stack trace and nothing written', () => {
    const dir = tempDir();
    const out = join(dir, 'results');
    const file = manifestFile(
      dir,
      [
        'name: bad',
        `output: ${out}`,
        'seeds: [0]',
        'tasks: [digits-parity]',
        'ladders: { image: { family: mlp, weak: [xs], strong: [m] } }',
        'methods:',
        '  - name: naive',
        '  - name: conf',
        '    loss: { name: logconf, auxCoef: -1, warmupFrac: 2 }',
        'colour: blue',
      ].join('\n'),
    );
    const r = w2s(['run', file, '--cache', join(dir, 'cache')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('methods[1].loss.auxCoef');
    expect(r.stderr).toContain('methods[1].loss.warmupFrac');
    expect(r.stderr).toMatch(/unknown field: colour/);
    expect(r.stderr).not.toMatch(/\n\s+at .*\(.*\.ts:\d+/); // no stack trace
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['bad.yaml']);
  });

  it('reports a missing file and broken YAML with the file name', () => {
    const dir = tempDir();
    const missing = w2s(['run', join(dir, 'nope.yaml')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('nope.yaml: manifest file not found');
    const broken = w2s(['run', manifestFile(dir, 'tasks: [unclosed')]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toContain('bad.yaml: not valid YAML');
  });

  it('names the task entry of an unknown task and the modality without a ladder', () => {
    const dir = tempDir();
    const unknown = w2s([
      'plan',
      manifestFile(dir, 'name: t\ntasks: [digits-parity, nonsense]\nladders: { image: { family: mlp, weak: [xs], strong: [m] } }\nmethods: [{ name: naive }]\n'),
    ]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/tasks\[1\]/);
    const noLadder = w2s([
      'plan',
      manifestFile(dir, 'name: t\ntasks: [spam]\nladders: { image: { family: mlp, weak: [xs], strong: [m] } }\nmethods: [{ name: naive }]\n'),
    ]);
    expect(noLadder.status).toBe(2);
    expect(noLadder.stderr).toContain('tasks[0]');
    expect(noLadder.stderr).toContain('ladders.text');
  });

  it('refuses judge "zero-shot" on a task that is not a function of the pretraining labels, in plan and run alike', () => {
    const dir = tempDir();
    const file = manifestFile(
      dir,
      'name: t\ntasks: [digits-parity, spam]\nladders: { image: { family: mlp, weak: [xs], strong: [m] }, text: { family: text, weak: [xs], strong: [m] } }\n' +
        'methods: [{ name: naive }, { name: zs, weak: { debate: { debater: { kind: embedded, judge: zero-shot } } } }]\n',
    );
    const plan = w2s(['plan', file]);
    const run = w2s(['run', file, '--cache', join(dir, 'cache'), '--out', join(dir, 'out')]);
    for (const r of [plan, run]) {
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('methods[1].weak.debate.debater.judge');
      expect(r.stderr).toContain('task "spam" is not: use judge "elicited"');
      expect(r.stderr).not.toMatch(/\n\s+at .*\(.*\.ts:\d+/);
    }
    // run prints its backend first; the refusal is the same line.
    const refusal = (stderr: string) => stderr.trim().split('\n').at(-1);
    expect(refusal(run.stderr)).toBe(refusal(plan.stderr));
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('rejects an unknown command option clearly', () => {
    const r = w2s(['run', '--frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('w2s run');
  });
});

describe('w2s schema', () => {
  it('prints a JSON Schema of the manifest', () => {
    const r = w2s(['schema']);
    expect(r.status).toBe(0);
    const schema = JSON.parse(r.stdout);
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['tasks', 'ladders', 'methods', 'seeds']));
  });
});

describe('apps/runner/manifest.schema.json', () => {
  it('is the schema `w2s schema` prints (regenerate with: npx w2s schema > apps/runner/manifest.schema.json)', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { workspaceRoot } = await import('./helpers.js');
    const committed = JSON.parse(readFileSync(join(workspaceRoot, 'apps/runner/manifest.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(w2s(['schema']).stdout));
  });
});
