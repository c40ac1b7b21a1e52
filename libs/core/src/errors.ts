/**
 * An error the user caused (bad manifest, bad data file, missing backend, unreachable service).
 * The CLI prints only its message (no stack trace) and exits with `exitCode`.
 * `where` names the file, row, column, manifest path or URL at fault.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly where?: string,
    readonly exitCode = 2,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'UserError';
  }
}

/** By name as well as class, so a UserError from another copy of this package still counts. */
export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError || (e instanceof Error && e.name === 'UserError');
}

/** Error codes of a machine that cannot store what a run writes: not a bug, not a user's manifest. */
const STORAGE_ERRORS: Record<string, { what: string; remedy: string }> = {
  ENOSPC: { what: 'no space left on the device', remedy: 'free some space, or write elsewhere (--cache, --out, W2S_CACHE_DIR)' },
  EDQUOT: { what: 'disk quota exceeded', remedy: 'free some space, or write elsewhere (--cache, --out, W2S_CACHE_DIR)' },
  EROFS: { what: 'read-only file system', remedy: 'write elsewhere (--cache, --out, W2S_CACHE_DIR)' },
  EACCES: { what: 'permission denied', remedy: 'check the permissions, or write elsewhere (--cache, --out, W2S_CACHE_DIR)' },
};

/**
 * One line for a storage failure (disk full, quota, read-only, permission), naming the path the
 * write was for (`path` of the error, set by the atomic writers when the system gives none);
 * undefined for any other error.
 */
export function storageErrorMessage(e: unknown): string | undefined {
  const { code, path } = (e ?? {}) as { code?: unknown; path?: unknown };
  const known = typeof code === 'string' ? STORAGE_ERRORS[code] : undefined;
  if (!known) return undefined;
  return `${typeof path === 'string' ? `${path}: ` : ''}${known.what} (${code}); ${known.remedy}`;
}

/** Gives a file-system error the path it was about, if the system left it out (ENOSPC on write does). */
export function withPath(e: unknown, path: string): unknown {
  if (e && typeof e === 'object' && typeof (e as { code?: unknown }).code === 'string' && (e as { path?: unknown }).path === undefined) {
    (e as { path?: string }).path = path;
  }
  return e;
}
