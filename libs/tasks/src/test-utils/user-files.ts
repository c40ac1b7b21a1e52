/** Helpers for tests of user data files. */
import { expect } from 'vitest';
import { isUserError } from '@w2s/core/base';

/** The message of the UserError that `run` throws (fails the test if it throws anything else). */
export function userErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a UserError');
}
