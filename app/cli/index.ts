/**
 * The `hotline` command. Subcommands come from each command list below; `--help`
 * prints them with the configuration variables.
 */
import { isHotlineError } from '../../core/index.js';
import { ConfigError, settingsHelp } from '../config.js';
import { VERSION } from '../runtime.js';
import { asrCommands } from './asr.js';
import { classifierCommands } from './classifier.js';
import { type Command, parseCommandArgs, UsageError } from './command.js';
import { coreCommands } from './core-commands.js';
import { dataCommands } from './data.js';
import { dispatchCommands } from './dispatch.js';
import { retentionCommands } from './retention.js';
import { userCommands } from './users.js';

export const COMMANDS: Command[] = [
  ...coreCommands,
  ...userCommands,
  ...asrCommands,
  ...classifierCommands,
  ...dispatchCommands,
  ...retentionCommands,
  ...dataCommands,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length));
  return [
    `hotline ${VERSION}: the 12345 citizen service hotline`,
    '',
    'Usage: hotline COMMAND [options]   (hotline COMMAND --help for its options)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Configuration (environment variables):',
    settingsHelp(),
    '',
  ].join('\n');
}

function findCommand(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  // The longest matching word path wins: `user add` before `user`.
  const matches = COMMANDS.filter((c) => c.path.every((w, i) => argv[i] === w)).sort((a, b) => b.path.length - a.path.length);
  const cmd = matches[0];
  return cmd ? { cmd, rest: argv.slice(cmd.path.length) } : undefined;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(help());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    console.log(VERSION);
    return 0;
  }
  const found = findCommand(argv);
  if (!found) {
    console.error(`hotline: unknown command "${argv.join(' ')}". Run hotline --help for the list.`);
    return 2;
  }
  const { cmd, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${cmd.summary}\n\nUsage: ${cmd.usage}`);
    return 0;
  }
  try {
    const args = parseCommandArgs(cmd, rest);
    const code = await cmd.run(args);
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`hotline ${cmd.path.join(' ')}: ${err.message}\nUsage: ${cmd.usage}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(`hotline: ${err.message}`);
      return 2;
    }
    // A declared error also names its code, which scripts and the docs can match on.
    const code = isHotlineError(err) ? ` [${err.code}]` : '';
    console.error(`hotline ${cmd.path.join(' ')}: ${err instanceof Error ? err.message : String(err)}${code}`);
    return 1;
  }
}
