import { MIN_LEAKED_KEY_CHARS } from '../llm/redact.js';

/** Independent leak check: does `text` contain any MIN_LEAKED_KEY_CHARS-character run of `key`? */
export function leaksKey(text: string, key: string): boolean {
  for (let i = 0; i + MIN_LEAKED_KEY_CHARS <= key.length; i++) if (text.includes(key.slice(i, i + MIN_LEAKED_KEY_CHARS))) return true;
  return false;
}

/** A key of `n` characters in the OpenAI project-key shape, deterministic. */
export function fakeKey(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = 'sk-proj-';
  for (let i = 0; s.length < n; i++) s += alphabet[(i * 37 + 11) % alphabet.length];
  return s;
}
