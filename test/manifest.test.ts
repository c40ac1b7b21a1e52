import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, w2s, workspaceRoot } from './helpers.js';

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

  it('refuses co-supervision settings that cannot run, in plan and run alike', () => {
    const dir = tempDir();
    const head = 'name: t\nsplits: { nDocs: 40, nTest: 20 }\ntasks: [digits-parity]\nladders: { image: { family: mlp, weak: [xs], strong: [m] } }\n';
    const cases: [string, string, string][] = [
      ['no-specialists', 'methods: [{ name: cos, loss: { name: cosupervise } }]\n', '  methods[0].loss.name: the cosupervise loss learns from several specialised teachers: add weak: { cosupervise: { teachers: 2 } }'],
      ['wrong-loss', 'methods: [{ name: cos, weak: { cosupervise: { teachers: 2 } } }]\n', '  methods[0].weak.cosupervise: weak.cosupervise trains specialised teachers for the cosupervise loss: set loss: { name: cosupervise } (got "xent")'],
      ['too-many', 'methods: [{ name: cos, loss: { name: cosupervise }, weak: { cosupervise: { teachers: 3 } } }]\n', 'w2s: methods[0].weak.cosupervise: 3 specialists need at least 24 weak-train examples (8 each); weak-train has 20'],
    ];
    for (const [name, methods, message] of cases) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, head + methods);
      const run = w2s(['run', file, '--cache', join(dir, 'cache'), '--out', join(dir, 'out')]);
      const plan = w2s(['plan', file, '--cache', join(dir, 'cache')]);
      for (const r of [run, plan]) {
        expect(r.status, r.stderr).toBe(2);
        expect(r.stderr).toContain(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      expect(run.stderr.trim().split('\n').at(-1)).toBe(plan.stderr.trim().split('\n').at(-1));
    }
    expect(existsSync(join(dir, 'out'))).toBe(false);
  }, 120_000);

  it('rejects an unknown command option clearly', () => {
    const r = w2s(['run', '--frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('w2s run');
  });
});

/** A small valid manifest with some lines replaced or added (`key: value` lines of the top level). */
function tinyManifest(dir: string, extra: Record<string, string>): string {
  const fields: Record<string, string> = {
    name: 'tiny',
    backend: 'wasm',
    seeds: '[0]',
    splits: '{ nDocs: 200, nTest: 100, nVal: 40 }',
    tasks: '[digits-parity]',
    ladders: '{ image: { family: mlp, mode: probe, weak: [xs], strong: [s] } }',
    methods: '[{ name: naive }]',
    bootstrap: '{ resamples: 100 }',
    ...extra,
  };
  return manifestFile(dir, Object.entries(fields).map(([k, v]) => `${k}: ${v}`).join('\n') + '\n');
}

describe('unsafe names, output outside the workspace, and messages', () => {
  it.each(['"."', '".."', '".hidden"'])('refuses name: %s (run and plan: one message naming name, exit 2, nothing written)', (name) => {
    const dir = tempDir();
    const file = tinyManifest(dir, { name });
    const expected = `w2s: ${file}: invalid manifest:\n  name: letters, digits, ".", "_" and "-" only, not starting with "." (it names the results folder)`;
    for (const command of ['run', 'plan']) {
      // cwd = the temp dir, so that results/<name> would land inside it if anything were written.
      const r = w2s([command, file, '--cache', join(dir, 'cache')], {}, dir);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(expected);
    }
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });

  it('warns in one line when the manifest\'s output is outside the workspace (run and plan)', () => {
    const dir = tempDir();
    const out = join(dir, 'elsewhere');
    const file = tinyManifest(dir, { output: out });
    const warning = `w2s: warning: ${file}: output "${out}" is outside the workspace ${workspaceRoot.replace(/\/$/, '')}; results go to ${out}`;
    const plan = w2s(['plan', file, '--cache', join(dir, 'cache')]);
    expect(plan.status, plan.stderr).toBe(0);
    expect(plan.stderr.trim()).toBe(warning);
    const run = w2s(['run', file, '--workers', '0', '--cache', join(dir, 'cache')]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr.split('\n').filter((l) => /warning/.test(l))).toEqual([warning]);
    expect(existsSync(join(out, 'runs.arrow'))).toBe(true);
    // With --out the user chose the place: no warning.
    const chosen = w2s(['run', file, '--workers', '0', '--cache', join(dir, 'cache'), '--out', join(dir, 'chosen')]);
    expect(chosen.status, chosen.stderr).toBe(0);
    expect(chosen.stderr).not.toMatch(/warning/);
  });

  it('an unknown loss lists the registered losses', () => {
    const dir = tempDir();
    const file = tinyManifest(dir, { methods: '[{ name: m, loss: { name: nonsense } }]' });
    for (const command of ['run', 'plan']) {
      const r = w2s([command, file, '--cache', join(dir, 'cache')]);
      expect(r.status).toBe(2);
      expect(r.stderr.trim()).toBe(`w2s: ${file}: invalid manifest:\n  methods[0].loss.name: must be one of "xent", "logconf", "product", "bootstrap", "window", "entropy", "adaptconf", "cosupervise"`);
    }
  });

  it('refuses a too-large nDocs before creating anything, with the same message in run and plan', () => {
    const dir = tempDir();
    const out = join(dir, 'results');
    const file = tinyManifest(dir, { output: out, splits: '{ nDocs: 100000, nTest: 100 }' });
    const messages = ['run', 'plan'].map((command) => {
      const r = w2s([command, file, '--cache', join(dir, 'cache')]);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // (run names its backend before planning; that informational line is not part of the refusal)
      return r.stderr.split('\n').filter((l) => /^w2s: splits/.test(l)).join('\n');
    });
    expect(messages[0]).toMatch(/^w2s: splits: task "digits-parity": asked for nTest=100 \+ nDocs=100000 = 100100 examples but the \w+ has only \d+ examples$/);
    expect(messages[1]).toBe(messages[0]);
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
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
