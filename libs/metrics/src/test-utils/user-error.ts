import { isUserError } from '@w2s/core/base';
import { expect } from 'vitest';

/** Runs fn, expects it to throw a UserError, and returns the error's message. */
export function userErrorMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(isUserError(e), `expected a UserError, got ${String(e)}`).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a UserError, but nothing was thrown');
}
