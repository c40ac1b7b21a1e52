/**
 * An error the user caused (a bad loss config, logits and labels that do not fit). Same contract as
 * `UserError` in @w2s/core — name 'UserError', message `${where}: ${message}`, exitCode 2 — so
 * core's `isUserError` (which matches by name) recognises it and the CLI prints only the message.
 * Defined here rather than imported because importing @w2s/core registers its tfjs backend and
 * loads its training/checkpoint modules: this lib must stay usable on its own in a plain tfjs program.
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
