/** One `w2s` subcommand: its help text and what it does (exit code). */
export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}
