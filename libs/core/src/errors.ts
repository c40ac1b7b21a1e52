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
