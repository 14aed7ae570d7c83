import { Command, CommanderError, Option } from 'commander';
import { DEFAULTS } from '../engine/defaults.js';
import type { JobStatus } from '../engine/types.js';
import {
  parseDelay,
  parseInterval,
  parseJobStatus,
  parseJsonObject,
  parseListLimit,
  parseName,
  parsePositiveInteger,
  parsePriority,
} from './cli-arguments.js';
import { MUTATING_COMMANDS, type ActionCommand, type GlobalOptions, type ParsedCommand } from './cli-commands.js';
import { ENV_VARIABLES } from './names.js';
import { HOST_DEFAULTS } from '../config/defaults.js';
import { LIMITS } from '../config/limits.js';
import { FLEXQ_VERSION } from './version.js';

export type * from './cli-commands.js';

/** What the options of a command look like once commander has parsed them. */
interface RawOptions {
  config?: string;
  readOnly?: boolean;
  headless?: boolean;
  force?: boolean;
  json?: boolean;
  queue?: string;
  priority?: number;
  delay?: number;
  maxAttempts?: number;
  limit?: number;
  count?: number;
  interval?: number;
}

const FOOTER = `
Exit codes: 0 ok, 1 failure, 2 usage error.
Environment: ${ENV_VARIABLES.join(', ')} override flexq.toml.`;

/**
 * Reads a command line (without the node and script entries) into what it asks for. Pure: it
 * prints nothing and never exits; help, version and usage errors come back as values.
 */
export function parseCommandLine(argv: readonly string[], version: string = FLEXQ_VERSION): ParsedCommand {
  let parsed: ActionCommand | undefined;
  let output = '';
  const program = buildProgram(version, (command) => {
    parsed = command;
  });
  // Only the root lets operands through (see buildProgram); subcommands would inherit that.
  for (const command of program.commands) command.allowExcessArguments(false);
  // Commander copies output settings only to subcommands created later, so each gets them here.
  for (const command of [program, ...program.commands]) {
    // A fixed width keeps help independent of the terminal, so the function stays pure.
    command.configureHelp({ helpWidth: 100 });
    command.exitOverride().configureOutput({
      writeOut: (text) => (output += text),
      writeErr: (text) => (output += text),
      outputError: () => undefined,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  }
  try {
    program.parse([...argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) return { kind: 'info', text: output };
    // `flexq help NAME` for an unknown NAME: commander prints the root help as an error, with the
    // placeholder message "(outputHelp)"; the user needs to hear which name was wrong instead.
    if (error.code === 'commander.help') return usageError(unknownCommand(argv[argv.indexOf('help') + 1] ?? ''), []);
    return usageError(error.message.replace(/^error: /, ''), argv);
  }
  if (parsed === undefined) return { kind: 'info', text: output };
  if (parsed.readOnly && MUTATING_COMMANDS.has(parsed.kind)) {
    return usageError(`'${parsed.kind}' changes jobs or queues, which --read-only forbids`, argv);
  }
  return parsed;
}

function usageError(message: string, argv: readonly string[]): ParsedCommand {
  // The first command name on the line; an option value such as `--config x.toml` is skipped.
  const subcommand = argv.find((arg) => COMMAND_NAMES.includes(arg));
  return { kind: 'usage-error', message, command: subcommand === undefined ? 'flexq' : `flexq ${subcommand}` };
}

function unknownCommand(name: string): string {
  return `unknown command '${name}'; commands: ${COMMAND_NAMES.join(', ')}`;
}

const COMMAND_NAMES = ['init', 'dispatch', 'stats', 'jobs', 'schedules', 'show', 'cancel', 'retry', 'priority', 'pause', 'resume', 'demo', 'doctor'];

function globals(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<RawOptions>();
  return { ...(options.config === undefined ? {} : { configPath: options.config }), readOnly: options.readOnly === true };
}

/** Copies the options that were given, so absent ones stay absent rather than undefined. */
function given<Key extends keyof RawOptions>(command: Command, keys: readonly Key[]): Pick<RawOptions, Key> {
  const options = command.opts<RawOptions>();
  return Object.fromEntries(keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]])) as Pick<RawOptions, Key>;
}

const queueOption = () => new Option('--queue <name>', 'queue name').argParser(parseName);
const jsonOption = () => new Option('--json', 'print JSON instead of a table');

function buildProgram(version: string, done: (command: ActionCommand) => void): Command {
  const program = new Command('flexq')
    .description('Redis-backed job queue: hosts the workers flexq.toml describes, with a terminal console')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'print help')
    .option('--config <file>', `config file (default: ./${HOST_DEFAULTS.configFileName})`)
    .option('--headless', 'no console: JSON logs on stdout, stop on SIGINT/SIGTERM')
    .option('--read-only', 'forbid every change to jobs and queues')
    .addHelpText('after', FOOTER)
    .helpCommand('help [command]', 'print help for a command')
    // Operands are let through so an unknown command gets its own message, not "too many arguments".
    .allowExcessArguments(true)
    .action((options: RawOptions, self: Command) => {
      const [command] = self.args;
      if (command !== undefined) {
        throw new CommanderError(2, 'flexq.unknownCommand', unknownCommand(command));
      }
      done({ kind: 'run', headless: options.headless === true, ...globals(self) });
    });

  program
    .command('init')
    .description(`write a commented sample ${HOST_DEFAULTS.configFileName} into the current folder (or to --config FILE)`)
    .option('--force', 'overwrite an existing file')
    .action((options: RawOptions, self: Command) => done({ kind: 'init', force: options.force === true, ...globals(self) }));

  program
    .command('dispatch')
    .description("enqueue a job and print its id")
    .argument('<type>', 'job type, e.g. email', parseName)
    .argument('[payload]', 'payload as a JSON object', parseJsonObject, {})
    .addOption(queueOption())
    .addOption(new Option('--priority <n>', 'higher runs first').argParser(parsePriority))
    .addOption(new Option('--delay <duration>', 'wait before running, e.g. 30s or 5m (at most 365d)').argParser(parseDelay))
    .addOption(new Option('--max-attempts <n>', 'total attempts').argParser(parsePositiveInteger))
    .action((type: string, payload: Record<string, unknown>, _options: RawOptions, self: Command) =>
      done({ kind: 'dispatch', type, payload, ...given(self, ['queue', 'priority', 'delay', 'maxAttempts']), ...globals(self) }),
    );

  program
    .command('stats')
    .description('job counts of each queue')
    .addOption(queueOption())
    .addOption(jsonOption())
    .action((options: RawOptions, self: Command) =>
      done({ kind: 'stats', json: options.json === true, ...given(self, ['queue']), ...globals(self) }),
    );

  program
    .command('jobs')
    .description('list jobs, latest status change first (SINCE); delayed jobs soonest due first (DUE)')
    .argument('[status]', 'pending, delayed, processing, retrying, failed, completed or cancelled', parseJobStatus)
    .addOption(queueOption())
    .addOption(new Option('--limit <n>', `most jobs shown (1 to ${LIMITS.maxListLimit})`).argParser(parseListLimit).default(DEFAULTS.listLimit))
    .addOption(jsonOption())
    .action((status: JobStatus | undefined, options: RawOptions, self: Command) =>
      done({
        kind: 'jobs',
        ...(status === undefined ? {} : { status }),
        limit: options.limit ?? DEFAULTS.listLimit,
        json: options.json === true,
        ...given(self, ['queue']),
        ...globals(self),
      }),
    );

  program
    .command('schedules')
    .description('every schedule with its timing, job, next and last runs')
    .addOption(queueOption())
    .addOption(jsonOption())
    .action((options: RawOptions, self: Command) =>
      done({ kind: 'schedules', json: options.json === true, ...given(self, ['queue']), ...globals(self) }),
    );

  program
    .command('show')
    .description('one job in full')
    .argument('<id>', 'job id')
    .addOption(queueOption())
    .addOption(jsonOption())
    .action((id: string, options: RawOptions, self: Command) =>
      done({ kind: 'show', id, json: options.json === true, ...given(self, ['queue']), ...globals(self) }),
    );

  for (const kind of ['cancel', 'retry'] as const) {
    program
      .command(kind)
      .description(kind === 'cancel' ? 'cancel a waiting or running job' : 'run a failed or cancelled job again')
      .argument('<id>', 'job id')
      .addOption(queueOption())
      .action((id: string, _options: RawOptions, self: Command) => done({ kind, id, ...given(self, ['queue']), ...globals(self) }));
  }

  program
    .command('priority')
    .description('change the priority of a waiting job')
    .argument('<id>', 'job id')
    .argument('<n>', 'new priority, an integer; higher runs first', parsePriority)
    .addOption(queueOption())
    .action((id: string, priority: number, _options: RawOptions, self: Command) =>
      done({ kind: 'priority', id, priority, ...given(self, ['queue']), ...globals(self) }),
    );

  for (const kind of ['pause', 'resume'] as const) {
    program
      .command(kind)
      .description(kind === 'pause' ? 'stop handing out jobs of a queue' : 'hand out jobs of a paused queue again')
      .argument('<queue>', 'queue name', parseName)
      .action((queue: string, _options: RawOptions, self: Command) => done({ kind, queue, ...globals(self) }));
  }

  program
    .command('demo')
    .description(`dispatch sample "${HOST_DEFAULTS.demoJobType}" jobs so you can watch them flow`)
    .addOption(queueOption())
    .addOption(new Option('--count <n>', 'jobs to dispatch (default: until interrupted)').argParser(parsePositiveInteger))
    .addOption(new Option('--interval <duration>', 'time between jobs').argParser(parseInterval).default(HOST_DEFAULTS.demoInterval, '500ms'))
    .action((options: RawOptions, self: Command) =>
      done({ kind: 'demo', interval: options.interval ?? HOST_DEFAULTS.demoInterval, ...given(self, ['queue', 'count']), ...globals(self) }),
    );

  program
    .command('doctor')
    .description('check the configured Redis for flexq: version, functions, eviction policy, memory, persistence, latency')
    .addOption(jsonOption())
    .action((options: RawOptions, self: Command) => done({ kind: 'doctor', json: options.json === true, ...globals(self) }));

  return program;
}
