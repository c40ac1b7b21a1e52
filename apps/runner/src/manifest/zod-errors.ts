import { UserError } from '@w2s/core';
import type { z } from 'zod';

/** `methods[1].loss.auxCoef` from zod's ['methods', 1, 'loss', 'auxCoef']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(top level)';
}

/** A short, human message for one zod issue ("must be ≥ 0", "unknown field: foo"). */
export function formatIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'too_small':
      return `must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}${issue.origin === 'array' ? ' item(s)' : ''}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}${issue.origin === 'array' ? ' item(s)' : ''}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_union': {
      // A discriminated union (a loss's `name`, a debater's `kind`) given an unknown tag: list the
      // known tags, not zod's "no matching discriminator".
      const options = (issue as { options?: unknown[] }).options;
      if (options && options.length > 0) return `must be one of ${options.map((v) => JSON.stringify(v)).join(', ')}`;
      const note = (issue as { note?: string }).note;
      return note ? note.toLowerCase() : 'does not match any allowed form';
    }
    default:
      return issue.message;
  }
}

/** One UserError listing every issue by path, e.g. `methods[1].loss.auxCoef: must be ≥ 0`. */
export function zodUserError(error: z.ZodError, where: string, prefix: readonly PropertyKey[] = []): UserError {
  const lines = error.issues.map((issue) => `  ${formatPath([...prefix, ...issue.path])}: ${formatIssue(issue)}`);
  return new UserError(`invalid manifest:\n${lines.join('\n')}`, where);
}
