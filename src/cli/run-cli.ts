import type { RedisCheck } from '../engine/diagnostics.js';
import type { Job } from '../engine/types.js';
import type { PushOutcome } from '../engine/queue.js';
import { parseCommandLine } from './cli.js';
import {
  helpCommandOf,
  type CancelCommand,
  type CleanCommand,
  type DrainCommand,
  type RetryAllCommand,
  type CancelAllCommand,
  type DemoCommand,
  type DispatchCommand,
  type DoctorCommand,
  type JobsCommand,
  type PriorityCommand,
  type QueueStateCommand,
  type RetryCommand,
  type RunCommand,
  type SchedulesCommand,
  type ShowCommand,
  type StatsCommand,
} from './cli-commands.js';
import { CliUsageError, userMessage } from './cli-errors.js';
import { readPayload, type PayloadReader } from './payload-source.js';
import { ConfigError } from '../config/config-errors.js';
import { ValidationError } from '../engine/errors.js';
import type { Env } from '../config/config.js';
import {
  checksJson, formatChecks, formatJob, formatJobs, formatSchedules, formatStats, jobJson, jobsJson, schedulesJson, shownText, statsJson,
  type OutputStyle, type QueueStatsEntry, type ScheduleEntry,
} from './format.js';
import { writeSampleConfig } from '../config/sample-config.js';

/** An output stream, as much of it as the CLI uses. */
export interface CliOutput {
  write(text: string): unknown;
  /** True for a terminal; colour is drawn only then. */
  isTTY?: boolean;
}

/** Where the CLI writes and what it knows of its process; tests pass recorders. */
export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  env: Env;
  /** Folder `flexq init` writes into, and `dispatch T @FILE` reads from. */
  cwd: string;
  /** What `dispatch T -` reads its payload from; on a terminal, a hint on stderr says so. */
  stdin: AsyncIterable<string | Uint8Array> & { isTTY?: boolean };
}

/**
 * What the commands do, implemented by the host against the engine. Each gets its parsed
 * command (with `configPath` and `readOnly`) and returns data; `runCli` prints it. A rejection
 * is reported on stderr with exit code 1.
 */
export interface CliActions {
  /** Hosts the worker pool, with the console unless headless, until stopped; resolves to the exit code. */
  run(command: RunCommand): Promise<number>;
  /**
   * Enqueues one job with the payload `readPayload` gives for the queue's maxPayloadBytes; resolves
   * to it as stored, or to the holder of its unique key (`stored: false`).
   */
  dispatch(command: DispatchCommand, readPayload: PayloadReader): Promise<PushOutcome>;
  /** Counts and paused state of the asked queue, or of every configured queue, in config order. */
  stats(command: StatsCommand): Promise<QueueStatsEntry[]>;
  /** Latest status change first (delayed jobs: soonest due first), at most `command.limit`. */
  jobs(command: JobsCommand): Promise<Job[]>;
  /** The schedules of the asked queue, or of every configured queue, by queue then name. */
  schedules(command: SchedulesCommand): Promise<ScheduleEntry[]>;
  /** The job; rejects naming the queues searched when none has it. */
  show(command: ShowCommand): Promise<Job>;
  cancel(command: CancelCommand): Promise<void>;
  retry(command: RetryCommand): Promise<void>;
  /** Every failed (or cancelled) job back to pending; how many per queue. */
  retryAll(command: RetryAllCommand): Promise<QueueCount[]>;
  cancelAll(command: CancelAllCommand): Promise<QueueCount[]>;
  /** Removes finished jobs; how many per queue. */
  clean(command: CleanCommand): Promise<QueueCount[]>;
  /** Pauses a queue and waits for its running jobs, printing progress; resolves to the exit code. */
  drain(command: DrainCommand): Promise<number>;
  setPriority(command: PriorityCommand): Promise<void>;
  /** Resolves to whether the queue was running (pausing a paused queue changes nothing). */
  pause(command: QueueStateCommand): Promise<boolean>;
  /** Resolves to whether the queue was paused (resuming a running queue changes nothing). */
  resume(command: QueueStateCommand): Promise<boolean>;
  /** Dispatches demo jobs until `count` or an interrupt; resolves to the exit code. */
  demo(command: DemoCommand): Promise<number>;
  /** Checks the configured Redis; resolves to its address and the findings. */
  doctor(command: DoctorCommand): Promise<{ address: string; checks: RedisCheck[] }>;
}

/** How many jobs a bulk command changed in one queue. */
export interface QueueCount {
  queue: string;
  count: number;
}

/** Exit codes of the executable. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** Runs one command line (without node and script): parses, calls the action, prints; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, actions: CliActions): Promise<number> {
  const command = parseCommandLine(argv);
  switch (command.kind) {
    case 'info':
      io.stdout.write(command.text);
      return EXIT.ok;
    case 'usage-error':
      return usage(io, command.message, command.command);
    default:
      break;
  }
  const style: OutputStyle = { color: io.stdout.isTTY === true && (io.env.NO_COLOR ?? '') === '' };
  const print = (text: string) => io.stdout.write(text);
  try {
    switch (command.kind) {
      case 'run':
        return await actions.run(command);
      case 'demo':
        return await actions.demo(command);
      case 'init':
        print(`wrote ${await writeSampleConfig(io.cwd, command.force, command.configPath)}\n`);
        return EXIT.ok;
      case 'dispatch': {
        const { job, stored } = await actions.dispatch(command, (maxBytes) => readPayload(command.payload, io, maxBytes));
        // Only the id, so scripts can capture it: JOB=$(flexq dispatch email '{…}').
        print(`${job.id}\n`);
        if (!stored) {
          io.stderr.write(`flexq: note: a job with unique key '${shownText(command.uniqueKey ?? '')}' already exists (job ${job.id}), so nothing new was stored\n`);
        }
        return EXIT.ok;
      }
      case 'stats': {
        const entries = await actions.stats(command);
        print(command.json ? statsJson(entries) : formatStats(entries, style));
        return EXIT.ok;
      }
      case 'jobs': {
        const jobs = await actions.jobs(command);
        print(command.json ? jobsJson(jobs) : formatJobs(jobs, style, command.status === 'delayed' ? 'due' : 'recent'));
        return EXIT.ok;
      }
      case 'schedules': {
        const schedules = await actions.schedules(command);
        print(command.json ? schedulesJson(schedules) : formatSchedules(schedules, style));
        return EXIT.ok;
      }
      case 'show': {
        const job = await actions.show(command);
        print(command.json ? jobJson(job) : formatJob(job, style));
        return EXIT.ok;
      }
      case 'cancel':
        await actions.cancel(command);
        print(`cancelled job ${command.id}\n`);
        return EXIT.ok;
      case 'retry':
        await actions.retry(command);
        print(`job ${command.id} is pending again\n`);
        return EXIT.ok;
      case 'cancel-all': {
        const counts = await actions.cancelAll(command);
        print(counts.map(({ queue, count }) => `cancelled ${count} ${command.status} job${count === 1 ? '' : 's'} of queue ${queue}\n`).join(''));
        return EXIT.ok;
      }
      case 'retry-all': {
        const counts = await actions.retryAll(command);
        print(counts.map(({ queue, count }) => `${count} ${command.status} job${count === 1 ? '' : 's'} of queue ${queue} ${count === 1 ? 'is' : 'are'} pending again\n`).join(''));
        return EXIT.ok;
      }
      case 'clean': {
        const counts = await actions.clean(command);
        print(counts.map(({ queue, count }) => `removed ${count} ${command.status} job${count === 1 ? '' : 's'} of queue ${queue}\n`).join(''));
        return EXIT.ok;
      }
      case 'drain':
        return await actions.drain(command);
      case 'priority':
        await actions.setPriority(command);
        print(`job ${command.id} now has priority ${command.priority}\n`);
        return EXIT.ok;
      case 'pause':
        print(await actions.pause(command) ? `paused queue ${command.queue}\n` : `queue ${command.queue} was already paused; nothing to pause\n`);
        return EXIT.ok;
      case 'resume':
        print(await actions.resume(command) ? `resumed queue ${command.queue}\n` : `queue ${command.queue} was not paused; nothing to resume\n`);
        return EXIT.ok;
      case 'doctor': {
        const { address, checks } = await actions.doctor(command);
        const healthy = checks.every((check) => check.level !== 'error');
        print(command.json ? checksJson(address, healthy, checks) : formatChecks(address, checks, style));
        return healthy ? EXIT.ok : EXIT.failure;
      }
    }
  } catch (error) {
    const commandName = helpCommandOf(command);
    if (error instanceof CliUsageError) return usage(io, error.message, commandName);
    // The engine refused an argument before storing anything: as bad an argument as a parse error.
    if (error instanceof ValidationError) return usage(io, userMessage(error), commandName);
    // A config error names file (or variable), key and line on each of its lines.
    if (error instanceof ConfigError) {
      io.stderr.write(shownText(error.message).split('\n').map((line) => `flexq: ${line}\n`).join(''));
      return EXIT.failure;
    }
    return fail(io, userMessage(error));
  }
}


function usage(io: CliIo, message: string, command: string): number {
  io.stderr.write(`flexq: ${shownText(message)}\nRun '${command} --help' for usage.\n`);
  return EXIT.usage;
}

function fail(io: CliIo, message: string): number {
  io.stderr.write(`flexq: ${shownText(message)}\n`);
  return EXIT.failure;
}
