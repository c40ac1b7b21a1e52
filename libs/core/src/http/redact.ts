// Secrets out of anything a server sent back. Applied to the whole text BEFORE it is cut to a
// snippet: a key that a cut splits would no longer match as a whole and leak its prefix.

const REDACTED = '[redacted]';
/** A run of at least this many characters of the key is a leak (a server may echo a cut key). */
export const MIN_LEAKED_KEY_CHARS = 8;

/**
 * Bearer tokens (`Bearer sk-…`, also URL- or JSON-escaped around them), key-like tokens
 * (`sk-…`, `sk_live_…`), and credential query parameters or URL user-info.
 */
const TOKEN_PATTERNS: RegExp[] = [
  /(\bbearer\s+)[^\s"'\\,;}]+/gi,
  /\b(?:sk|pk|rk)[-_](?:[a-z]+[-_])?[A-Za-z0-9_-]{8,}/g,
  /([?&](?:api[-_]?key|key|token|access[-_]?token|auth|secret|password)=)[^&#\s"']+/gi,
  /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+:)[^@/\s"']+(?=@)/gi,
];

/**
 * `text` with every occurrence of `secret` — whole, or any run of MIN_LEAKED_KEY_CHARS or more of
 * its characters (a prefix cut by the server, or a suffix after a cut) — and anything that looks
 * like a bearer token or credential replaced by `[redacted]`.
 */
export function redactSecrets(text: string, secret?: string): string {
  let out = text;
  if (secret) out = redactKeyFragments(out, secret);
  for (const pattern of TOKEN_PATTERNS) {
    out = out.replace(pattern, (_match, keep?: unknown) => (typeof keep === 'string' ? `${keep}${REDACTED}` : REDACTED));
  }
  return out;
}

/** Replaces the longest run of the key found at each position (whole key first, then fragments). */
function redactKeyFragments(text: string, key: string): string {
  if (key.length < MIN_LEAKED_KEY_CHARS) return text.split(key).join(REDACTED);
  // Every window of MIN_LEAKED_KEY_CHARS characters of the key marks where a fragment may start.
  const windows = new Set<string>();
  for (let i = 0; i + MIN_LEAKED_KEY_CHARS <= key.length; i++) windows.add(key.slice(i, i + MIN_LEAKED_KEY_CHARS));
  let out = '';
  let i = 0;
  while (i < text.length) {
    const window = text.slice(i, i + MIN_LEAKED_KEY_CHARS);
    const fragment = window.length === MIN_LEAKED_KEY_CHARS && windows.has(window) ? longestKeyRunAt(text, i, key) : 0;
    if (fragment >= MIN_LEAKED_KEY_CHARS) {
      out += REDACTED;
      i += fragment;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

/** Length of the longest substring of `key` that starts at text[start]. */
function longestKeyRunAt(text: string, start: number, key: string): number {
  let best = 0;
  for (let k = 0; k < key.length; k++) {
    let n = 0;
    while (k + n < key.length && start + n < text.length && key[k + n] === text[start + n]) n++;
    if (n > best) best = n;
  }
  return best;
}

/** A URL as it may appear in a message: no password in its user-info, no credential query parameters. */
export function displayUrl(url: string): string {
  return redactSecrets(url);
}

/**
 * Whether `text` holds `key` or any MIN_LEAKED_KEY_CHARS-character run of it (a check for tests
 * and audits, written independently of redactSecrets).
 */
export function leaksSecret(text: string, key: string): boolean {
  if (key.length < MIN_LEAKED_KEY_CHARS) return text.includes(key);
  for (let i = 0; i + MIN_LEAKED_KEY_CHARS <= key.length; i++) if (text.includes(key.slice(i, i + MIN_LEAKED_KEY_CHARS))) return true;
  return false;
}
