import { UserError } from './errors.js';
import { z } from 'zod';

/** Where option errors point when the caller does not say (`loss.auxCoef: must be ≥ 0`). */
export const DEFAULT_WHERE = 'loss';

/** A finite number (zod v4 already rejects NaN and ±Infinity) with a short error message. */
export const finiteNumber = () => z.number({ error: 'must be a finite number' });

/**
 * Parses loss options with `schema`. The first problem found becomes one UserError that names
 * the option, e.g. `loss.auxCoef: must be ≥ 0` or `loss.auxcoef: unknown option (...)`.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const at = [where, ...issue.path.map(String)].join('.');
  if (issue.code === 'unrecognized_keys') {
    const known = schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
    const expected = known.length > 0 ? `expected one of: ${known.join(', ')}` : 'this loss takes no options';
    throw new UserError(`unknown option (${expected})`, `${at}.${issue.keys[0]}`);
  }
  if (issue.code === 'invalid_type' && issue.path.length === 0) {
    throw new UserError('options must be an object', at);
  }
  throw new UserError(issue.message, at);
}
