// The w2s command line. Each command is a small async function in a plain map; a user's mistake
// (UserError) or a full/read-only disk prints one line and exits non-zero, anything else is a bug
// and keeps its stack.
import { readFileSync } from 'node:fs';
import { isUserError, storageErrorMessage } from '@w2s/core/base';
import { commands } from './commands.js';

/** This package's version; package.json is two levels up from both src/cli/ and dist/cli/. */
function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  w2s ${name.padEnd(8)} ${c.summary}`);
  return ['usage: w2s <command> [options]', '', 'commands:', ...lines, '', 'w2s <command> --help for its options; w2s --version'].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    console.log(version());
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`w2s: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return await command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (isUserError(e)) {
      console.error(`w2s: ${e.message}`);
      process.exit(e.exitCode);
    }
    // A full or read-only disk is the machine's state, not a bug: one line naming the path.
    const storage = storageErrorMessage(e);
    if (storage) {
      console.error(`w2s: ${storage}`);
      process.exit(1);
    }
    console.error(e);
    process.exit(1);
  },
);
