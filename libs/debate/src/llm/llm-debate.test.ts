import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUserError } from '@w2s/core/base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDebateConfig, type DebateConfigInput } from '../config.js';
import { exampleRng, planTurns } from '../protocol.js';
import { startScriptedServer, type ReceivedRequest, type Script, type ScriptedServer } from '../test-utils/scripted-server.js';
import { llmClient, runLlmDebate } from './llm-debate.js';

let server: ScriptedServer | undefined;
let cacheDir: string;

beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'w2s-debate-llm-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(cacheDir, { recursive: true, force: true });
});

/** Answers from the prompt: who speaks, which turn, for what, with which seed. */
const argue: Script = (req) => {
  const [system, user] = req.body.messages!;
  const who = /Debater (A|B)/.exec(system!.content)?.[1] ?? 'consultant';
  const turn = /Turn (\d+) of \d+\. Argue that the answer is "(\w+)"/.exec(user!.content);
  return { content: `${who} argues ${turn![2]} at turn ${turn![1]} (seed ${req.body.seed})` };
};

async function serve(script: Script = argue): Promise<ScriptedServer> {
  server = await startScriptedServer(script);
  return server;
}

function setup(s: ScriptedServer, overrides: DebateConfigInput = {}) {
  const config = parseDebateConfig({
    temperature: 0.8,
    ...overrides,
    debater: { kind: 'llm', baseUrl: s.baseUrl, model: 'debater-7b', apiKeyEnv: 'W2S_NO_SUCH_KEY', timeoutMs: 10_000, maxRetries: 1, retryBaseMs: 1 },
  });
  return { config, client: llmClient(config.debater, cacheDir) };
}

const ids = ['q0', 'q1', 'q2', 'q3'];
const texts = ['Is 7 odd?', 'Is 10 odd?', 'Is 3 odd?', 'Is 4 odd?'];
const classNames = ['even', 'odd'];
const userMessages = (requests: ReceivedRequest[]) => requests.map((r) => r.body.messages![1]!.content);

describe('runLlmDebate against a scripted endpoint', () => {
  it('runs A, B, A with the planned stances, each turn seeing the transcript so far', async () => {
    const s = await serve();
    const { config, client } = setup(s);
    const transcripts = await runLlmDebate(config, { ids, texts, classNames, seed: 5, client });
    expect(s.requests).toHaveLength(12);
    transcripts.forEach((t, i) => {
      const plan = planTurns('debate', 3, exampleRng(5, ids[i]!));
      expect(t).toMatchObject({ kind: 'text', id: ids[i], protocol: 'debate', seed: 5 });
      expect(t.turns.map((turn) => [turn.speaker, turn.stance])).toEqual(plan.map((p) => [p.speaker, p.stance]));
      t.turns.forEach((turn, k) => expect(turn.text).toMatch(new RegExp(`^${turn.speaker} argues ${classNames[turn.stance]} at turn ${k + 1} \\(seed \\d+\\)$`)));
    });
    // The third turn of q0 was asked with q0's text and both earlier turns.
    const q0 = transcripts[0]!;
    const third = userMessages(s.requests).find((m) => m.startsWith('Input:\nIs 7 odd?') && m.includes('Turn 3 of 3'))!;
    expect(third).toContain(`Debate so far:\nDebater A (for "${classNames[q0.turns[0]!.stance]}"): ${q0.turns[0]!.text}\n\nDebater B (for "${classNames[q0.turns[1]!.stance]}"): ${q0.turns[1]!.text}\n\nTurn 3`);
    const first = userMessages(s.requests).find((m) => m.startsWith('Input:\nIs 7 odd?') && m.includes('Turn 1 of 3'))!;
    expect(first).toContain('Debate so far:\n(no arguments yet)');
    // Sampling parameters reach the server.
    expect(s.requests.every((r) => r.body.model === 'debater-7b' && r.body.temperature === 0.8 && r.body.max_tokens === 256)).toBe(true);
  });

  it('reruns from the cache; another debate seed is another sample', async () => {
    const s = await serve();
    const { config, client } = setup(s);
    const first = await runLlmDebate(config, { ids, texts, classNames, seed: 1, client });
    const rerun = await runLlmDebate(config, { ids, texts, classNames, seed: 1, client: setup(s).client });
    expect(rerun).toEqual(first);
    expect(s.requests).toHaveLength(12); // the rerun sent nothing
    const other = await runLlmDebate(config, { ids, texts, classNames, seed: 2, client });
    expect(s.requests).toHaveLength(24);
    const seeds = (ts: typeof first) => ts.flatMap((t) => t.turns.map((turn) => /seed (\d+)/.exec(turn.text)![1]));
    expect(seeds(other).filter((x, i) => x === seeds(first)[i])).toHaveLength(0);
  });

  it('consultancy and market-making: one consultant; market-making argues against the weak prediction', async () => {
    const s = await serve();
    const { config, client } = setup(s, { protocol: 'market-making', turns: 2 });
    const weakPredictions = [1, 0, 1, 1];
    const transcripts = await runLlmDebate(config, { ids, texts, classNames, seed: 0, client, weakPredictions });
    transcripts.forEach((t, i) => {
      expect(t.turns.map((turn) => [turn.speaker, turn.stance])).toEqual([
        ['A', 1 - weakPredictions[i]!],
        ['A', 1 - weakPredictions[i]!],
      ]);
      expect(t.turns[0]!.text).toMatch(/^consultant argues /);
    });
    expect(s.requests[0]!.body.messages![0]!.content).toMatch(/^You are a consultant/);
    await expect(runLlmDebate(config, { ids, texts, classNames, seed: 0, client })).rejects.toThrow(/market-making needs weakPredictions/);
  });

  it('uses the prompt of the task, else the config\'s prompt, else the default', async () => {
    const s = await serve(() => ({ content: 'fine' }));
    const config = parseDebateConfig({
      turns: 1,
      debater: {
        kind: 'llm',
        baseUrl: s.baseUrl,
        model: 'm',
        prompt: { system: 'Generic: argue {stance}.', user: '{input}' },
        prompts: {
          sciq: { system: 'Speaker {speaker} defends {stance} against {other} ({answers}).', user: 'Q: {input} | so far: {transcript} | {turn}/{turns}' },
        },
      },
    });
    const client = llmClient(config.debater, cacheDir);
    const [t] = await runLlmDebate(config, { ids: ['q'], texts: ['Is {stance} odd?'], classNames, seed: 0, client, task: 'sciq' });
    const stance = classNames[t!.turns[0]!.stance]!;
    const other = classNames[1 - t!.turns[0]!.stance]!;
    expect(s.requests[0]!.body.messages).toEqual([
      { role: 'system', content: `Speaker A defends ${stance} against ${other} ("even" or "odd").` },
      // Braces inside the input are not template variables.
      { role: 'user', content: 'Q: Is {stance} odd? | so far: (no arguments yet) | 1/1' },
    ]);
    await runLlmDebate(config, { ids: ['q'], texts: ['Is 9 odd?'], classNames, seed: 0, client, task: 'other-task' });
    expect(s.requests[1]!.body.messages![0]!.content).toBe(`Generic: argue ${stance}.`);
    const defaults = parseDebateConfig({ turns: 1, debater: { kind: 'llm', baseUrl: s.baseUrl, model: 'm' } });
    await runLlmDebate(defaults, { ids: ['q'], texts: ['Is 9 odd?'], classNames, seed: 0, client: llmClient(defaults.debater, cacheDir) });
    expect(s.requests[2]!.body.messages![0]!.content).toMatch(/^You are Debater A in a debate about the input below\. The possible answers are "even" or "odd"\./);
  });

  it('fails the whole run with a clear error when the endpoint misbehaves (no partial transcripts)', async () => {
    const s = await serve((req) => (req.body.messages![1]!.content.includes('Is 3 odd?') ? { status: 200, body: 'not json' } : argue(req, 0)));
    const { config, client } = setup(s);
    const e = await runLlmDebate(config, { ids, texts, classNames, seed: 0, client }).catch((x: unknown) => x);
    expect(isUserError(e)).toBe(true);
    expect((e as Error).message).toMatch(new RegExp(`^${s.baseUrl.replace(/[./]/g, '\\$&')}/chat/completions: response is not valid JSON`));
    // The bad reply is permanent: requests in flight were aborted, so at most the good answers
    // that arrived before it were cached, and nothing is sent after the call returns.
    const cached = readdirSync(cacheDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));
    expect(cached.length).toBeLessThanOrEqual(s.requests.length - 1);
    const sent = s.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(s.requests).toHaveLength(sent);
    // q2's later turns were never asked.
    expect(userMessages(s.requests).filter((m) => m.includes('Is 3 odd?'))).toHaveLength(1);
  });

  it('rejects non-binary tasks, misaligned texts and an embedded config', async () => {
    const s = await serve();
    const { config, client } = setup(s);
    await expect(runLlmDebate(config, { ids, texts, classNames: ['a', 'b', 'c'], seed: 0, client })).rejects.toThrow('classNames: debate supports binary tasks');
    await expect(runLlmDebate(config, { ids, texts: texts.slice(1), classNames, seed: 0, client })).rejects.toThrow('texts: has 3 entries, expected 4 (one per id)');
    await expect(runLlmDebate(parseDebateConfig({}), { ids, texts, classNames, seed: 0, client })).rejects.toThrow(/needs debater.kind "llm"/);
    expect(() => llmClient(parseDebateConfig({}).debater, null)).toThrow('debater.kind: an LLM client needs debater.kind "llm", got "embedded"');
    expect(s.requests).toHaveLength(0);
  });
});
