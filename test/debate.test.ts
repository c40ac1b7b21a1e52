// Ensembles and debate through the real CLI: model ensembles, embedded text debate, and LLM
// debaters behind a local OpenAI-compatible server that this test starts (scripted answers).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedServer, type Script, type ScriptedServer } from '../libs/debate/src/test-utils/scripted-server.js';
import { NEGATIVE_WORDS, POSITIVE_WORDS, tempDir, w2s, writeReviewsCsv } from './helpers.js';
import { readRuns, startW2s } from './scale-helpers.js';
import { loadManifest } from '../apps/runner/src/manifest/manifest.js';
import { planExperiment } from '../apps/runner/src/plan/plan.js';

const SECRET = 'sk-test-secret-7f3a9c';
const dir = tempDir('w2s-debate-');
const cache = join(dir, 'cache');
writeReviewsCsv(join(dir, 'reviews.csv'));

/**
 * An honest scripted debater: it says "yes" when the review holds a word of its stance's
 * sentiment and "no" otherwise (words any pretraining corpus has), so its arguments carry the
 * label and a weak model that reads them must do better than one that does not.
 */
const honest: Script = (req) => {
  const user = req.body.messages![1]!.content;
  const input = /Input:\n([\s\S]*?)\n\n/.exec(user)![1]!;
  const stance = /Argue that the answer is "(\w+)"\.$/.exec(user)![1]!;
  const lexicon = stance === 'pos' ? POSITIVE_WORDS : NEGATIVE_WORDS;
  const found = input.split(' ').some((w) => lexicon.includes(w));
  return { content: found ? 'yes yes yes' : 'no no no' };
};

function manifest(name: string, baseUrl: string, methods: string, extra = ''): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    `name: ${name}
seeds: [0]
splits: { nDocs: 120, nTest: 100 }
tasks:
  - { file: reviews.csv, label: sentiment, text: review, id: id }
ladders:
  text: { family: text, weak: [xs], strong: [s] }
methods:
${methods}
bootstrap: { resamples: 200 }
${extra}`.replaceAll('BASE_URL', baseUrl),
  );
  return file;
}

const llm = (protocol: string, turns: number) =>
  `{ protocol: ${protocol}, turns: ${turns}, temperature: 0.7, debater: { kind: llm, baseUrl: BASE_URL, model: debater-7b, apiKeyEnv: W2S_TEST_KEY, maxRetries: 1, retryBaseMs: 1, concurrency: 8 } }`;

/** Runs w2s without blocking this process (the scripted server lives here). */
async function run(args: string[]) {
  const child = startW2s(args, { W2S_TEST_KEY: SECRET });
  const { status } = await child.exited;
  return { status, ...child.output() };
}

/** Every file under `root`, recursively. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' }).map((f) => join(root, f)).filter((f) => statSync(f).isFile());
}

describe('LLM debaters in a manifest', () => {
  let server: ScriptedServer;
  const out = join(dir, 'llm-out');
  let first: Awaited<ReturnType<typeof run>>;
  const debated = 220; // nDocs + nTest: every split is debated

  beforeAll(async () => {
    server = await startScriptedServer(honest);
    const file = manifest(
      'llm',
      server.baseUrl,
      `  - name: naive
  - name: llm-debate
    weak: { debate: ${llm('debate', 2)} }
  - name: llm-debate-ensemble
    weak: { ensemble: { size: 2, vary: debate-seed }, debate: ${llm('debate', 2)} }
  - name: llm-market-making
    weak: { debate: ${llm('market-making', 1)} }`,
    );
    first = await run(['run', file, '--cache', cache, '--out', out, '--workers', '2']);
  }, 600_000);
  afterAll(() => server.close());

  it('runs, and the weak model reading the debate beats the one that does not', () => {
    expect(first.stderr).not.toMatch(/Error|at .*\.ts:\d+/);
    expect(first.status).toBe(0);
    const rows = readRuns(join(out, 'runs.arrow'));
    const by = Object.fromEntries(rows.map((r) => [r.method as string, r]));
    expect(Object.keys(by).sort()).toEqual(['llm-debate', 'llm-debate-ensemble', 'llm-market-making', 'naive']);
    expect(JSON.parse(by['llm-debate-ensemble']!.weak_members_acc as string)).toHaveLength(2);
    // The honest debaters' "yes"/"no" give the label away; the plain text-xs weak model is near chance here.
    expect(by['llm-debate']!.weak_acc as number).toBeGreaterThan(0.9);
    expect(by['llm-debate']!.weak_acc as number).toBeGreaterThan((by.naive!.weak_acc as number) + 0.2);
    // Every method is also measured against the plain weak model (Lang et al.'s PGR baseline).
    for (const r of rows) expect(r.plain_weak_acc).toBe(by.naive!.weak_acc);
    expect(by.naive!.pgr_vs_plain).toBe(by.naive!.pgr);
    const d = by['llm-debate']!;
    const expected = ((d.w2s_acc as number) - (d.plain_weak_acc as number)) / ((d.ceiling_acc as number) - (d.plain_weak_acc as number));
    if ((d.ceiling_acc as number) > (d.plain_weak_acc as number)) expect(d.pgr_vs_plain as number).toBeCloseTo(expected, 12);
  });

  it('transcripts.arrow holds every turn the weak models read', () => {
    const turns = readRuns(join(out, 'transcripts.arrow'));
    const of = (method: string) => turns.filter((t) => (t.cell_id as string).includes(`/${method}/`));
    expect(of('naive')).toHaveLength(0);
    expect(of('llm-debate')).toHaveLength(debated * 2);
    expect(of('llm-debate-ensemble')).toHaveLength(debated * 2 * 2); // two debate samples
    expect(of('llm-market-making')).toHaveLength(debated);
    expect(new Set(of('llm-debate-ensemble').map((t) => t.debate_seed))).toEqual(new Set([0, 1]));
    for (const t of turns) {
      expect(['yes yes yes', 'no no no']).toContain(t.content);
      expect(['weak-train', 'transfer', 'test']).toContain(t.split);
    }
    // Debate: A and B argue opposite classes; the honest debater says "yes" exactly when it argues the truth
    // (up to the noisy reviews that hold a word of both sentiments).
    const debateTurns = of('llm-debate');
    const truthful = debateTurns.filter((t) => (t.content === 'yes yes yes') === (t.stance === t.gt)).length;
    expect(truthful / debateTurns.length).toBeGreaterThan(0.85);
    expect(debateTurns.filter((t) => t.turn === 1).every((t) => t.speaker === 'A')).toBe(true);
  });

  it('sends the planned requests with the key from the environment, and writes the key nowhere', () => {
    // debate: 2 turns per example for debate seed 0; the ensemble's seed-0 member reads the same
    // completions from the cache (the plan runs the two stages one after the other, even with 2
    // workers) and its seed-1 member asks 2 more; market-making 1 turn. No request is sent twice.
    expect(server.requests).toHaveLength(debated * 2 + debated * 2 + debated * 1);
    expect(new Set(server.requests.map((r) => JSON.stringify(r.body))).size).toBe(server.requests.length);
    for (const r of server.requests) {
      expect(r.url).toBe('/v1/chat/completions');
      expect(r.headers.authorization).toBe(`Bearer ${SECRET}`);
      expect(r.body).toMatchObject({ model: 'debater-7b', temperature: 0.7 });
    }
    expect(first.stdout + first.stderr).not.toContain(SECRET);
    for (const f of [...filesUnder(out), ...filesUnder(cache)]) expect(readFileSync(f).includes(SECRET), f).toBe(false);
  });

  it('a rerun that retrains the weak models reads every transcript from the cache', async () => {
    const before = server.requests.length;
    const file = manifest(
      'llm-again',
      server.baseUrl,
      `  - name: llm-debate
    weak: { debate: ${llm('debate', 2)} }
  - name: llm-debate-ensemble
    weak: { ensemble: { size: 2, vary: debate-seed }, debate: ${llm('debate', 2)} }`,
      'train: { weak: { lr: 0.02 } }\n',
    );
    const again = await run(['run', file, '--cache', cache, '--out', join(dir, 'again-out')]);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/done {3}weak-gt .*llm-debate labels/); // recomputed, not a cached stage
    expect(server.requests.length).toBe(before);
  }, 600_000);
});

describe('planning LLM debates', () => {
  it('runs the stages that send the same requests one after the other (an input, not a key change)', () => {
    const file = manifest(
      'chain',
      'http://127.0.0.1:9/v1',
      `  - name: llm-debate
    weak: { debate: ${llm('debate', 2)} }
  - name: llm-debate-ensemble
    weak: { ensemble: { size: 2, vary: debate-seed }, debate: ${llm('debate', 2)} }
  - name: llm-market-making
    weak: { debate: ${llm('market-making', 1)} }`,
    );
    const plan = planExperiment(loadManifest(file));
    const weakOf = (method: string) => plan.stagesOf(plan.cells.find((c) => c.method.name === method)!)['weak-gt'];
    // Besides the backbones (pretrain stages) every weak stage reads:
    const chained = (method: string) => weakOf(method).inputs.filter((k) => !k.startsWith('backbone-'));
    expect(chained('llm-debate')).toEqual([]);
    expect(chained('llm-debate-ensemble')).toEqual([weakOf('llm-debate').key]);
    expect(chained('llm-market-making')).toEqual([]);
  });
});

describe('LLM endpoint failures end the run with one clear message', () => {
  const cases: [string, Script, RegExp][] = [
    ['HTTP 500', () => ({ status: 500, body: '{"error":"boom"}' }), /HTTP 500/],
    ['malformed JSON', () => ({ status: 200, body: '{"choices": [' }), /JSON/i],
  ];
  for (const [what, script, pattern] of cases) {
    it(`${what}: non-zero exit, the URL named, no stack trace, no tables`, async () => {
      const server = await startScriptedServer(script);
      try {
        const out = join(dir, `fail-${what.replace(/\W/g, '')}`);
        const file = manifest(`fail-${what.replace(/\W/g, '')}`, server.baseUrl, `  - name: llm-debate\n    weak: { debate: ${llm('debate', 1)} }`);
        const r = await run(['run', file, '--cache', join(dir, 'fail-cache'), '--out', out, '--workers', '0']);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toMatch(pattern);
        expect(r.stderr).toContain(server.baseUrl);
        expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
        expect(r.stderr).not.toContain(SECRET);
        let written: string[] = [];
        try {
          written = readdirSync(out);
        } catch {
          // no results directory at all: fine
        }
        expect(written.filter((f) => f.endsWith('.arrow') || f.includes('.tmp'))).toEqual([]);
      } finally {
        await server.close();
      }
    }, 600_000);
  }
});

describe('debate and ensembles are checked when the manifest is planned', () => {
  it('refuses an LLM debater on image data and an unknown ensemble size, naming the manifest path', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      `name: bad
tasks: [digits-parity]
ladders: { image: { family: mlp, weak: [xs], strong: [s] } }
methods:
  - name: llm
    weak: { debate: { debater: { kind: llm, baseUrl: 'http://127.0.0.1:9/v1', model: m } } }
`,
    );
    const r = w2s(['plan', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('methods[0].weak.debate.debater.kind');
    expect(r.stderr).toContain('LLM debaters argue about texts; task "digits-parity" is image data');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/ {2}- name: llm[\s\S]*$/, '  - name: sizes\n    weak: { ensemble: { vary: model, models: [xs, huge] } }\n'));
    const sizes = w2s(['plan', file]);
    expect(sizes.status).toBe(2);
    expect(sizes.stderr).toContain('methods[0].weak.ensemble.models[1]');
    expect(sizes.stderr).toContain('unknown mlp size "huge"');
    expect(sizes.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
    writeFileSync(
      file,
      `name: bad
tasks: [synthetic-linear]
ladders: { vector: { family: embedding, weak: [weak], strong: [strong] } }
methods: [{ name: debate, weak: { debate: { featuresPerTurn: 2 } } }]
`,
    );
    const frozen = w2s(['plan', file]);
    expect(frozen.status).toBe(2);
    expect(frozen.stderr).toContain('methods[0].weak.debate: embedded debaters judge partly revealed inputs with the strong model, but the embedding family');
  });
});

describe('the shipped LLM manifest', () => {
  it('is valid and plans without contacting its endpoint', () => {
    const r = w2s(['plan', 'experiments/llm/debate-llm.yaml', '--cache', join(dir, 'plan-cache')]);
    expect(r.stderr).not.toContain('Error');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/weak-gt {2}spam text-xs \(debate-ensemble labels\) seed 0/);
  });
});

describe('offline: embedded text debate and an ensemble of model sizes', () => {
  it('run end to end and record each member', () => {
    const out = join(dir, 'offline-out');
    const file = manifest(
      'offline',
      '',
      `  - name: naive
  - name: text-debate
    weak: { debate: { turns: 3, featuresPerTurn: 2 } }
  - name: text-debate-gt
    weak: { debate: { turns: 3, featuresPerTurn: 2, debater: { kind: embedded, judge: gt } } }
  - name: size-ensemble
    weak: { ensemble: { vary: model, models: [xs, s], aggregate: mean-logit } }`,
    );
    const r = w2s(['run', file, '--cache', cache, '--out', out]);
    expect(r.stderr).not.toContain('Error');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/debate seed 0: \d+\/220 examples/);
    expect(r.stdout).toContain('(runs.arrow, predictions.arrow, curves.arrow, transcripts.arrow, report.md, report.html)');
    const by = Object.fromEntries(readRuns(join(out, 'runs.arrow')).map((row) => [row.method as string, row]));
    const members = JSON.parse(by['size-ensemble']!.weak_members_acc as string) as number[];
    expect(members).toHaveLength(2);
    // Member 0 is the weak model itself: the same accuracy as the naive method's weak model.
    expect(members[0]).toBe(by.naive!.weak_acc);
    expect(by['text-debate']!.weak_acc as number).toBeGreaterThan(0);
    // Only the ground-truth judge's rows say the strong side saw ground truth, and the report says why.
    expect(Object.fromEntries(Object.entries(by).map(([method, row]) => [method, row.strong_saw_gt]))).toEqual({ naive: false, 'text-debate': false, 'text-debate-gt': true, 'size-ensemble': false });
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| text-debate-gt \|.*strong side saw GT \(judge: gt\) \|/);
    expect(report).not.toMatch(/\| text-debate \|.*strong side saw GT/);
    expect(report).toContain('are an ablation (`judge: gt`)');
    // Each turn of the embedded text debate reveals 2 words of the example's own text.
    const texts = new Map(readFileSync(join(dir, 'reviews.csv'), 'utf8').trim().split('\n').slice(1).map((line) => {
      const [id, review] = line.split(',"');
      return [id!, review!.split('",')[0]!.split(' ')];
    }));
    const allTurns = readRuns(join(out, 'transcripts.arrow'));
    expect(allTurns).toHaveLength(2 * 220 * 3); // two debating methods
    const turns = allTurns.filter((t) => t.cell_id === by['text-debate']!.cell_id);
    expect(turns).toHaveLength(220 * 3);
    for (const t of turns) {
      const words = (t.content as string).split(' ');
      expect(words).toHaveLength(2);
      for (const w of words) expect(texts.get(t.example_id as string)).toContain(w);
    }
  }, 600_000);
});
