import { CliUsageError } from './cli-errors.js';
import { Command, CommanderError, Option } from 'commander';
import { DEFAULTS } from '../engine/defaults.js';
import type { JobStatus } from '../engine/types.js';
import type { CancelAllCommand, CleanCommand, DispatchCommand, PayloadSource, RetryAllCommand } from './cli-commands.js';
import {
  parseDelay,
  parseDrainTimeout,
  parseFinishedStatus,
  parseOlderThan,
  parseRedisUrl,
  parseRetryableStatus,
  parseWaitingStatus,
  parseInterval,
  parseJobStatus,
  parsePayloadArgument,
  parseListLimit,
  parseName,
  parseGroup,
  parseUniqueFor,
  parseUniqueKey,
  parsePositiveInteger,
  parsePriority,
} from './cli-arguments.js';
import { MUTATING_COMMANDS, type ActionCommand, type GlobalOptions, type ParsedCommand } from './cli-commands.js';
import { ENV_VARIABLES } from './names.js';
import { HOST_DEFAULTS } from '../config/defaults.js';
import { LIMITS } from '../config/limits.js';
import { FLEXQ_VERSION } from './version.js';

export type * from './cli-commands.js';

type CleanStatus = CleanCommand['status'];

/** What the options of a command look like once commander has parsed them. */
interface RawOptions extends Pick<DispatchCommand, 'priority' | 'delay' | 'maxAttempts' | 'group' | 'uniqueKey' | 'uniqueFor'> {
  config?: string;
  readOnly?: boolean;
  redis?: string;
  headless?: boolean;
  noWorkers?: boolean;
  /** `retry --all` takes a retryable status, `cancel --all` a waiting one (each checked by its parser). */
  all?: RetryAllCommand['status'] | CancelAllCommand['status'];
  type?: string;
  olderThan?: number;
  timeout?: number;
  force?: boolean;
  json?: boolean;
  queue?: string;
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
    // An argument refused in words of its own (one that must not be quoted back: --redis).
    if (error instanceof CliUsageError) return usageError(error.message, argv);
    if (!(error instanceof CommanderError)) throw error;
    if (error.exitCode === 0) {
      // `flexq foo --help`: commander prints the root help for an operand it does not know; the
      // user needs the same unknown-command error as for `flexq foo`.
      const unknown = unknownCommandOperand(program);
      if (error.code === 'commander.helpDisplayed' && unknown !== undefined) return usageError(unknownCommand(unknown), []);
      return { kind: 'info', text: output };
    }
    // `flexq help NAME` for an unknown NAME: commander prints the root help as an error, with the
    // placeholder message "(outputHelp)"; the user needs to hear which name was wrong instead.
    if (error.code === 'commander.help') return usageError(unknownCommand(argv[argv.indexOf('help') + 1] ?? ''), []);
    return usageError(error.message.replace(/^error: /, ''), argv);
  }
  if (parsed === undefined) return { kind: 'info', text: output };
  if (parsed.readOnly && MUTATING_COMMANDS.has(parsed.kind)) {
    // Named as typed: `retry --all` and `cancel --all` parse to kinds of their own.
    return usageError(`'${parsed.kind.replace(/-all$/, ' --all')}' changes jobs or queues, which --read-only forbids`, argv);
  }
  return parsed;
}

function usageError(message: string, argv: readonly string[]): ParsedCommand {
  // The first command name on the line; an option value such as `--config x.toml` is skipped.
  const subcommand = argv.find((arg) => COMMAND_NAMES.includes(arg));
  return { kind: 'usage-error', message, command: subcommand === undefined ? 'flexq' : `flexq ${subcommand}` };
}

/** The root's first operand when it names no command (`help` included), as commander left it in `args`. */
function unknownCommandOperand(program: Command): string | undefined {
  const [first] = program.args;
  if (first === undefined || first.startsWith('-') || first === 'help') return undefined;
  return program.commands.some((command) => command.name() === first) ? undefined : first;
}

function unknownCommand(name: string): string {
  return `unknown command '${name}'; commands: ${COMMAND_NAMES.join(', ')}`;
}

const COMMAND_NAMES = [
  'init', 'dispatch', 'stats', 'jobs', 'schedules', 'show', 'cancel', 'retry', 'clean', 'priority', 'pause', 'resume', 'drain', 'console',
  'demo', 'doctor',
];

function globals(command: Command): GlobalOptions {
  const options = command.optsWithGlobals<RawOptions>();
  return {
    ...(options.config === undefined ? {} : { configPath: options.config }),
    ...(options.redis === undefined ? {} : { redisUrl: options.redis }),
    readOnly: options.readOnly === true,
  };
}

/** Copies the options that were given, so absent ones stay absent rather than undefined. */
function given<Key extends keyof RawOptions>(command: Command, keys: readonly Key[]): Pick<RawOptions, Key> {
  const options = command.opts<RawOptions>();
  return Object.fromEntries(keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]])) as Pick<RawOptions, Key>;
}

/** Commander stores `--no-workers` as `workers: false`. */
function noWorkersGiven(options: RawOptions): boolean {
  return (options as { workers?: boolean }).workers === false;
}

/**
 * `--headless` and `--no-workers` say how `flexq` itself hosts workers. Commander takes them
 * anywhere on the line, so another command would ignore them without a word (and `console
 * --headless` would still need a terminal): they are refused there. `--read-only` stays valid
 * everywhere: it is what refuses the commands that change jobs or queues.
 */
function rejectHostOnlyFlags(root: Command, action: Command): void {
  if (action === root) return;
  const name = action.name();
  const options = root.opts<RawOptions>();
  if (options.headless === true) {
    throw new CommanderError(2, 'flexq.conflict', name === 'console'
      ? "'console' opens the console; it cannot be --headless (the host without a console is `flexq --headless`)"
      : `--headless applies to the worker host (\`flexq --headless\`), not to '${name}'`);
  }
  if (noWorkersGiven(options) && name !== 'console') {
    throw new CommanderError(2, 'flexq.conflict', `--no-workers applies to the console (\`flexq --no-workers\`), not to '${name}'`);
  }
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
    .addOption(new Option('--redis <url>', 'Redis to use (redis:// or rediss://), over flexq.toml; queues are found in it').argParser(parseRedisUrl))
    .option('--no-workers', 'open the console only: no workers run here, every queue found in Redis is shown')
    .addHelpText('after', FOOTER)
    .hook('preAction', rejectHostOnlyFlags)
    .helpCommand('help [command]', 'print help for a command')
    // Operands are let through so an unknown command gets its own message, not "too many arguments".
    .allowExcessArguments(true)
    .action((options: RawOptions, self: Command) => {
      const [command] = self.args;
      if (command !== undefined) {
        throw new CommanderError(2, 'flexq.unknownCommand', unknownCommand(command));
      }
      const noWorkers = noWorkersGiven(options);
      if (noWorkers && options.headless === true) throw new CommanderError(2, 'flexq.conflict', '--no-workers opens the console; it cannot be --headless');
      done({ kind: 'run', headless: options.headless === true, noWorkers, ...globals(self) });
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
    .argument('[payload]', 'payload as a JSON object; - reads it from stdin, @FILE from a file', parsePayloadArgument, { from: 'argument', payload: {} })
    .addOption(queueOption())
    .addOption(new Option('--priority <n>', 'higher runs first').argParser(parsePriority))
    .addOption(new Option('--delay <duration>', 'wait before running, e.g. 30s or 5m (at most 365d)').argParser(parseDelay))
    .addOption(new Option('--max-attempts <n>', 'total attempts').argParser(parsePositiveInteger))
    .addOption(new Option('--group <name>', "fair group: the queue's groups take turns").argParser(parseGroup))
    .addOption(new Option('--unique-key <key>', 'while a job with this key waits or runs, print its id and add none').argParser(parseUniqueKey))
    .addOption(new Option('--unique-for <duration>', 'keep the key taken this long from now instead, e.g. 10m').argParser(parseUniqueFor))
    .action((type: string, payload: PayloadSource, _options: RawOptions, self: Command) =>
      done({ kind: 'dispatch', type, payload, ...given(self, ['queue', 'priority', 'delay', 'maxAttempts', 'group', 'uniqueKey', 'uniqueFor']), ...globals(self) }),
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

  program
    .command('cancel')
    .description('cancel a waiting or running job; with --all, every pending (delayed, retrying) job, and print how many')
    .argument('[id]', 'job id')
    .addOption(new Option('--all <status>', 'every job of this status: pending, delayed or retrying').argParser(parseWaitingStatus))
    .addOption(queueOption())
    .action((id: string | undefined, options: RawOptions, self: Command) => {
      if (options.all !== undefined) {
        if (id !== undefined) throw new CommanderError(2, 'flexq.conflict', 'give a job id or --all, not both');
        done({ kind: 'cancel-all', status: options.all as CancelAllCommand['status'], ...given(self, ['queue']), ...globals(self) });
        return;
      }
      if (id === undefined) throw new CommanderError(2, 'flexq.missingArgument', 'missing job id (or --all pending to cancel every pending job)');
      done({ kind: 'cancel', id, ...given(self, ['queue']), ...globals(self) });
    });

  program
    .command('retry')
    .description('run a failed or cancelled job again; with --all, every failed (or cancelled) job, and print how many')
    .argument('[id]', 'job id')
    .addOption(new Option('--all <status>', 'every job of this status: failed or cancelled').argParser(parseRetryableStatus))
    .addOption(new Option('--type <type>', 'with --all: only jobs of this type').argParser(parseName))
    .addOption(queueOption())
    .action((id: string | undefined, options: RawOptions, self: Command) => {
      if (options.all !== undefined) {
        if (id !== undefined) throw new CommanderError(2, 'flexq.conflict', 'give a job id or --all, not both');
        done({ kind: 'retry-all', status: options.all as RetryAllCommand['status'], ...given(self, ['queue', 'type']), ...globals(self) });
        return;
      }
      if (id === undefined) throw new CommanderError(2, 'flexq.missingArgument', "missing job id (or --all failed to retry every failed job)");
      if (options.type !== undefined) throw new CommanderError(2, 'flexq.conflict', '--type filters --all; a single job needs none');
      done({ kind: 'retry', id, ...given(self, ['queue']), ...globals(self) });
    });

  program
    .command('clean')
    .description('remove finished jobs of a status (completed, failed or cancelled) and print how many')
    .argument('<status>', 'completed, failed or cancelled', parseFinishedStatus)
    .addOption(new Option('--older-than <duration>', 'only jobs finished at least this long ago, e.g. 7d or 12h').argParser(parseOlderThan))
    .addOption(new Option('--limit <n>', 'remove at most this many').argParser(parsePositiveInteger))
    .addOption(queueOption())
    .action((status: CleanStatus, _options: RawOptions, self: Command) =>
      done({ kind: 'clean', status, ...given(self, ['queue', 'olderThan', 'limit']), ...globals(self) }),
    );

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
    .command('drain')
    .description('pause a queue everywhere and wait for its running jobs to finish (for deploys); `flexq resume` undoes it')
    .argument('<queue>', 'queue name', parseName)
    .addOption(new Option('--timeout <duration>', 'how long to wait; exit 1 listing what still runs after it').argParser(parseDrainTimeout).default(HOST_DEFAULTS.drainTimeout, '5m'))
    .action((queue: string, options: RawOptions, self: Command) =>
      done({ kind: 'drain', queue, timeout: options.timeout ?? HOST_DEFAULTS.drainTimeout, ...globals(self) }),
    );

  program
    .command('console')
    .description('open the console without starting workers; with --redis URL no flexq.toml is needed')
    .action((_options: RawOptions, self: Command) => done({ kind: 'run', headless: false, noWorkers: true, ...globals(self) }));

  program
    .command('demo')
    .description(`dispatch sample "${HOST_DEFAULTS.demoJobType}" jobs so you can watch them flow`)
    .addOption(queueOption())
    .addOption(new Option('--count <n>', 'jobs to dispatch (default: until interrupted)').argParser(parsePositiveInteger))
    .addOption(new Option('--interval <duration>', `time between jobs (at least ${LIMITS.minDemoIntervalMs}ms)`).argParser(parseInterval).default(HOST_DEFAULTS.demoInterval, '500ms'))
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
