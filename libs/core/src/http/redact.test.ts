import { describe, expect, it } from 'vitest';
import { fakeKey } from '../test-utils/fake-key.js';
import { leaksSecret as leaksKey, redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('removes a whole key and any 8-character run of it (a prefix cut by the server, a suffix after a cut)', () => {
    const key = fakeKey(168);
    expect(redactSecrets(`token ${key} refused`, key)).toBe('token [redacted] refused');
    const prefix = key.slice(0, 40);
    const suffix = key.slice(100);
    const text = `{"error":"Invalid token: ${prefix}…"} and later ${suffix}`;
    const clean = redactSecrets(text, key);
    expect(leaksKey(clean, key)).toBe(false);
    expect(clean).toBe('{"error":"Invalid token: [redacted]…"} and later [redacted]');
    // Seven characters are not a leak: ordinary text that happens to share them stays.
    expect(redactSecrets(`x${key.slice(20, 27)}x`, key)).toBe(`x${key.slice(20, 27)}x`);
  });

  it('removes anything that looks like a bearer token, whatever the key', () => {
    expect(redactSecrets('{"message":"Invalid token: Bearer abc.def-123_xyz"}')).toBe('{"message":"Invalid token: Bearer [redacted]"}');
    expect(redactSecrets('authorization: bearer 9f8e7d6c5b4a', undefined)).toBe('authorization: bearer [redacted]');
    expect(redactSecrets('echo: sk-live-ABCDEFGH12345678 done')).toBe('echo: [redacted] done');
  });

  it('removes credentials in URLs: query parameters and user-info passwords', () => {
    expect(redactSecrets('GET https://api.example.com/v1?api_key=s3cr3tvalue&x=1 failed')).toBe('GET https://api.example.com/v1?api_key=[redacted]&x=1 failed');
    expect(redactSecrets('see http://user:hunter22@host:8000/v1')).toBe('see http://user:[redacted]@host:8000/v1');
    expect(redactSecrets('http://127.0.0.1:8000/v1/chat/completions')).toBe('http://127.0.0.1:8000/v1/chat/completions');
  });

  it('handles short keys (whole only) and keys that repeat', () => {
    expect(redactSecrets('k=abc123 and abc123', 'abc123')).toBe('k=[redacted] and [redacted]');
    const key = fakeKey(24);
    expect(redactSecrets(`${key}${key}`, key)).toBe('[redacted][redacted]');
  });
});
