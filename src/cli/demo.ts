import { JobDispatcher } from '../engine/dispatcher.js';
import { isRedisUnreachable, unreachableReason } from '../engine/errors.js';
import type { RedisQueue } from '../engine/queue.js';
import type { Job } from '../engine/types.js';
import type { DemoCommand } from './cli-commands.js';
import type { HostConfig } from '../config/config-types.js';
import { HOST_DEFAULTS } from '../config/defaults.js';
import { timerDelay } from '../config/limits.js';
import type { CliOutput } from './run-cli.js';

/** What `runDemo` needs. */
export interface DemoOptions {
  queue: RedisQueue;
  command: DemoCommand;
  config: HostConfig;
  out: CliOutput;
  /** Where a Redis outage is reported, naming `address`. */
  err: CliOutput;
  address: string;
  /** Ends the run early; SIGINT by default. */
  signal?: AbortSignal;
}

/** One demo job's payload and priority, varied by its number so the console has something to show. */
export function demoJob(n: number): { payload: Record<string, unknown>; priority: number } {
  // Durations from 0.3 s to 2.7 s; every 5th job fails once and then succeeds on retry; every
  // 20th fails for good after its attempts; every 4th jumps the line.
  const payload: Record<string, unknown> = { n, ms: 300 + ((n * 739) % 2_400) };
  if (n % 20 === 0) payload['fail'] = true;
  else if (n % 5 === 0) payload['fail'] = 1;
  return { payload, priority: n % 4 === 0 ? 5 : 0 };
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, timerDelay(ms));
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** How often a demo waiting out a Redis outage tries again. */
const OUTAGE_RETRY_MS = 1_000;

/**
 * Dispatches one job, waiting out a Redis outage: workers pause and resume by themselves, and a
 * producer that died on a blip would stop the flow a newcomer is watching. The same job is sent
 * again once Redis answers; a reply lost with the connection may mean it was stored already, and a
 * sample job stored twice is harmless. Resolves to undefined when stopped while waiting.
 */
async function dispatchThroughOutage(send: () => Promise<Job>, { err, address }: DemoOptions, stop: AbortSignal): Promise<Job | undefined> {
  let waiting = false;
  for (;;) {
    try {
      const job = await send();
      if (waiting) err.write(`Redis at ${address} answers again: the demo goes on\n`);
      return job;
    } catch (error) {
      if (!isRedisUnreachable(error)) throw error;
      if (!waiting) err.write(`Redis at ${address} is not answering (${unreachableReason(error as Error)}): waiting for it (Ctrl-C stops the demo)\n`);
      waiting = true;
      await pause(OUTAGE_RETRY_MS, stop);
      if (stop.aborted) return undefined;
    }
  }
}

/**
 * `flexq demo`: dispatches `demo` jobs every `interval` until `count` (or an interrupt), printing
 * a line per job; resolves to the exit code.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const { queue, command, config, out, signal } = options;
  const type = HOST_DEFAULTS.demoJobType;
  if (config.handlers[type] === undefined) {
    out.write(`note: the config maps no handler to "${type}", so these jobs will fail; add [handlers.${type}] builtin = "sleep"\n`);
  }
  const stop = new AbortController();
  const onInterrupt = (): void => stop.abort();
  signal?.addEventListener('abort', onInterrupt, { once: true });
  if (signal === undefined) process.once('SIGINT', onInterrupt);
  const dispatcher = new JobDispatcher(queue);
  const total = command.count === undefined ? '' : `/${command.count}`;
  let made = 0;
  try {
    while (!stop.signal.aborted && (command.count === undefined || made < command.count)) {
      if (made > 0) await pause(command.interval, stop.signal);
      if (stop.signal.aborted) break;
      const { payload, priority } = demoJob(made + 1);
      const job = await dispatchThroughOutage(() => dispatcher.dispatch(type, payload, { priority }), options, stop.signal);
      if (job === undefined) break;
      made++;
      out.write(`dispatched ${type} job ${made}${total} ${job.id} to ${queue.name} (${String(payload['ms'])} ms${payload['fail'] === undefined ? '' : ', fails on purpose'})\n`);
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    signal?.removeEventListener('abort', onInterrupt);
  }
  out.write(`demo done: ${made} job${made === 1 ? '' : 's'} dispatched to ${queue.name}\n`);
  return 0;
}
