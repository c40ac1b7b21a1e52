import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '@w2s/core/base';

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with a UserError (not a stack trace) for unknown or malformed options. */
type Parsed<T extends OptionSpec> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T & { help: { type: 'boolean'; short: 'h' } }; allowPositionals: true; strict: true }>
>;

export function parseOptions<T extends OptionSpec>(command: string, args: string[], options: T): Parsed<T> {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserError(`${(e as Error).message} (see w2s ${command} --help)`, `w2s ${command}`);
  }
}

export function onePositional(command: string, positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UserError(`expected exactly one ${what}`, `w2s ${command}`);
  return positionals[0]!;
}

/** A whole number ≥ min given as an option value; a UserError naming the option otherwise. */
export function intOption(value: string, option: string, min: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UserError(`must be a whole number ≥ ${min}, got "${value}"`, option);
  }
  return n;
}
