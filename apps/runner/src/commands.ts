import { parseArgs } from 'node:util';
import { UserError } from '@w2s/core';

export interface Command {
  summary: string;
  run(args: string[]): Promise<number>;
}

/** parseArgs with a UserError (not a stack trace) for unknown or malformed options. */
export function parseOptions<T extends Parameters<typeof parseArgs>[0]['options']>(
  command: string,
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError(`${(e as Error).message}`, `w2s ${command}`);
  }
}

export const commands: Record<string, Command> = {};
