import { isUserError } from '@w2s/core/base';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DebateConfigSchema, parseDebateConfig } from './config.js';

function userError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return e as Error;
  }
  throw new Error('expected a UserError');
}

describe('DebateConfigSchema', () => {
  it('defaults to a 3-turn debate between embedded debaters whose judge sees no ground truth (elicited)', () => {
    expect(parseDebateConfig({})).toEqual({
      protocol: 'debate',
      turns: 3,
      featuresPerTurn: 4,
      temperature: 1,
      debater: { kind: 'embedded', selection: 'one-shot', maxTextTokens: 64, judge: 'elicited' },
    });
  });

  it('fills LLM debater defaults; the key comes from an environment variable', () => {
    const config = parseDebateConfig({ protocol: 'consultancy', debater: { kind: 'llm', baseUrl: 'http://127.0.0.1:8000/v1', model: 'qwen2.5-7b' } });
    expect(config.debater).toEqual({
      kind: 'llm',
      baseUrl: 'http://127.0.0.1:8000/v1',
      model: 'qwen2.5-7b',
      apiKeyEnv: 'OPENAI_API_KEY',
      timeoutMs: 60_000,
      maxRetries: 4,
      retryBaseMs: 1000,
      concurrency: 4,
      maxTokens: 256,
      sendSeed: true,
    });
  });

  it('refuses an API key in the config without echoing it', () => {
    const e = userError(() => parseDebateConfig({ debater: { kind: 'llm', baseUrl: 'https://api.example.com/v1', model: 'm', apiKey: 'sk-secret-1' } }));
    expect(e.message).toContain('debater.apiKey: never write an API key into a config; put it in an environment variable and name that variable in apiKeyEnv');
    expect(e.message).not.toContain('sk-secret-1');
  });

  it('names each bad field', () => {
    const e = userError(() =>
      parseDebateConfig(
        { protocol: 'duel', turns: 0, debater: { kind: 'llm', baseUrl: 'localhost:8000', model: 'm', prompt: { system: 'Argue {stance} vs {opponent}', user: '{input}' } } },
        'manifest.yaml: methods[2].debate',
      ),
    );
    expect(e.message.split('\n')[0]).toBe('manifest.yaml: methods[2].debate: invalid debate config:');
    expect(e.message).toContain('  protocol: Invalid option: expected one of "debate"|"consultancy"|"market-making"');
    expect(e.message).toContain('  turns: Too small: expected number to be >=1');
    expect(e.message).toContain('  debater.baseUrl: must be an http(s) URL, e.g. http://127.0.0.1:8000/v1');
    expect(e.message).toContain('  debater.prompt.system: unknown variable {opponent}; known: {input}, {stance}, {other}, {answers}, {transcript}, {speaker}, {turn}, {turns}');
  });

  it('exports as JSON Schema (for the manifest editor support)', () => {
    const schema = z.toJSONSchema(DebateConfigSchema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(['protocol', 'turns', 'featuresPerTurn', 'temperature', 'debater']);
  });
});
