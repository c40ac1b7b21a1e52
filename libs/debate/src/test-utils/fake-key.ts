/** A key of `n` characters in the OpenAI project-key shape, deterministic. */
export function fakeKey(n: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = 'sk-proj-';
  for (let i = 0; s.length < n; i++) s += alphabet[(i * 37 + 11) % alphabet.length];
  return s;
}
