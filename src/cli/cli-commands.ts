import type { ListableStatus } from '../engine/queue.js';

/** Options every command takes. */
export interface GlobalOptions {
  /** `--config FILE`; undefined means ./flexq.toml. */
  configPath?: string;
  /** `--read-only`: no command or console action may change a job or queue. */
  readOnly: boolean;
  /** `--redis URL`: the Redis to use, over flexq.toml and FLEXQ_REDIS_URL; queues are found in it. */
  redisUrl?: string;
}

/** `flexq` / `flexq --headless`: host the worker pool, with the console unless headless. */
export interface RunCommand extends GlobalOptions {
  kind: 'run';
  headless: boolean;
  /** `flexq console` / `--no-workers`: the console alone, every queue found in Redis, no workers started. */
  noWorkers: boolean;
}

/** `flexq init [--force]`: write the sample flexq.toml into the current folder. */
export interface InitCommand extends GlobalOptions {
  kind: 'init';
  force: boolean;
}

/** Where `flexq dispatch` takes the payload: the argument's JSON object, stdin (`-`) or a file (`@FILE`). */
export type PayloadSource =
  | { from: 'argument'; payload: Record<string, unknown> }
  | { from: 'stdin' }
  | { from: 'file'; /** As typed: relative to the current folder. */ path: string };

/** `flexq dispatch TYPE [PAYLOAD_JSON | - | @FILE]`: enqueue one job and print its id. */
export interface DispatchCommand extends GlobalOptions {
  kind: 'dispatch';
  type: string;
  payload: PayloadSource;
  /** Undefined: the first configured queue. */
  queue?: string;
  priority?: number;
  /** Milliseconds; undefined or 0 means run as soon as possible. */
  delay?: number;
  maxAttempts?: number;
  group?: string;
  uniqueKey?: string;
  /** Milliseconds. */
  uniqueFor?: number;
}

/** `flexq stats [--queue Q] [--json]`: job counts per queue. */
export interface StatsCommand extends GlobalOptions {
  kind: 'stats';
  /** Undefined: every configured queue. */
  queue?: string;
  json: boolean;
}

/** `flexq jobs [STATUS] [--queue Q] [--limit N] [--json]`: newest jobs first. */
export interface JobsCommand extends GlobalOptions {
  kind: 'jobs';
  /** Undefined: jobs of every status. */
  status?: ListableStatus;
  /** Undefined: every configured queue. */
  queue?: string;
  limit: number;
  json: boolean;
}

/** `flexq schedules [--queue Q] [--json]`: every schedule with its next and last runs. */
export interface SchedulesCommand extends GlobalOptions {
  kind: 'schedules';
  /** Undefined: every configured queue. */
  queue?: string;
  json: boolean;
}

/** Commands that name one job; without `queue` the host looks in every configured queue. */
export interface JobReference extends GlobalOptions {
  id: string;
  queue?: string;
}

/** `flexq show ID [--json]`. */
export interface ShowCommand extends JobReference {
  kind: 'show';
  json: boolean;
}

/** `flexq cancel ID`. */
export interface CancelCommand extends JobReference {
  kind: 'cancel';
}

/** `flexq retry ID`. */
export interface RetryCommand extends JobReference {
  kind: 'retry';
}

/** `flexq retry --all STATUS [--type T]`: every failed (or cancelled) job back to pending. */
export interface RetryAllCommand extends GlobalOptions {
  kind: 'retry-all';
  status: 'failed' | 'cancelled';
  /** Undefined: every queue. */
  queue?: string;
  type?: string;
}

/** `flexq cancel --all STATUS`: every pending (delayed, retrying) job cancelled. */
export interface CancelAllCommand extends GlobalOptions {
  kind: 'cancel-all';
  status: 'pending' | 'delayed' | 'retrying';
  /** Undefined: every queue. */
  queue?: string;
}

/** `flexq clean STATUS [--older-than D] [--limit N]`: removes finished jobs. */
export interface CleanCommand extends GlobalOptions {
  kind: 'clean';
  status: 'completed' | 'failed' | 'cancelled';
  /** Undefined: every queue. */
  queue?: string;
  /** Milliseconds; undefined removes every job of the status. */
  olderThan?: number;
  limit?: number;
}

/** `flexq drain QUEUE [--timeout D]`: pause the queue everywhere and wait for its running jobs. */
export interface DrainCommand extends GlobalOptions {
  kind: 'drain';
  queue: string;
  /** Milliseconds to wait for running jobs. */
  timeout: number;
}

/** `flexq priority ID N`. */
export interface PriorityCommand extends JobReference {
  kind: 'priority';
  priority: number;
}

/** `flexq pause QUEUE` / `flexq resume QUEUE`: stop or restart handing out the queue's jobs. */
export interface QueueStateCommand extends GlobalOptions {
  kind: 'pause' | 'resume';
  queue: string;
}

/** `flexq demo`: a sample producer, so a newcomer sees jobs flow. */
export interface DemoCommand extends GlobalOptions {
  kind: 'demo';
  /** Undefined: the first configured queue. */
  queue?: string;
  /** Jobs to make; undefined keeps going until interrupted. */
  count?: number;
  /** Milliseconds between two jobs. */
  interval: number;
}

/** `flexq doctor [--json]`: checks the configured Redis for flexq; exit 1 when something is wrong. */
export interface DoctorCommand extends GlobalOptions {
  kind: 'doctor';
  json: boolean;
}

/** Text to print to stdout before exiting 0 (`--help`, `--version`). */
export interface InfoOutput {
  kind: 'info';
  text: string;
}

/** A command line that cannot be run; exit code 2. */
export interface UsageError {
  kind: 'usage-error';
  /** Names the argument or option at fault. */
  message: string;
  /** The command whose `--help` explains the usage, e.g. `flexq dispatch`. */
  command: string;
}

/** A command that does something. */
export type ActionCommand =
  | RunCommand
  | InitCommand
  | DispatchCommand
  | StatsCommand
  | JobsCommand
  | SchedulesCommand
  | ShowCommand
  | CancelCommand
  | RetryCommand
  | RetryAllCommand
  | CancelAllCommand
  | CleanCommand
  | DrainCommand
  | PriorityCommand
  | QueueStateCommand
  | DemoCommand
  | DoctorCommand;

/** Everything a command line can mean. */
export type ParsedCommand = ActionCommand | InfoOutput | UsageError;

/** Commands refused under `--read-only` because they change jobs or queues. */
export const MUTATING_COMMANDS: ReadonlySet<ActionCommand['kind']> = new Set([
  'dispatch',
  'cancel',
  'cancel-all',
  'retry',
  'retry-all',
  'clean',
  'drain',
  'priority',
  'pause',
  'resume',
  'demo',
]);

/**
 * The command line whose `--help` explains each command: the kind is not always the command's
 * name (`retry --all` parses to `retry-all`, the host and `console` to `run`).
 */
const HELP_COMMANDS: Readonly<Record<ActionCommand['kind'], string>> = {
  run: 'flexq',
  init: 'flexq init',
  dispatch: 'flexq dispatch',
  stats: 'flexq stats',
  jobs: 'flexq jobs',
  schedules: 'flexq schedules',
  show: 'flexq show',
  cancel: 'flexq cancel',
  'cancel-all': 'flexq cancel',
  retry: 'flexq retry',
  'retry-all': 'flexq retry',
  clean: 'flexq clean',
  drain: 'flexq drain',
  priority: 'flexq priority',
  pause: 'flexq pause',
  resume: 'flexq resume',
  demo: 'flexq demo',
  doctor: 'flexq doctor',
};

/** The command line to name in a usage hint (`Run 'flexq retry --help' for usage.`). */
export function helpCommandOf(command: ActionCommand): string {
  return HELP_COMMANDS[command.kind];
}
