/**
 * A console on a real engine: real queues under a fresh prefix, real workers, a pino logger feeding a
 * log buffer, a HostView over them (the host boundary), and the console rendered by ink-testing-library.
 */
import { render } from 'ink-testing-library';
import { pino } from 'pino';
import { RedisQueue, type RedisQueueConfig, RedisWorker } from '../../src/index.js';
import { ConsoleRoot } from '../../src/tui/index.js';
import { ConsoleDataSource } from '../../src/tui/data-source.js';
import { LogRing } from '../../src/host/log-ring.js';
import type { HostView } from '../../src/tui/host-view.js';
import { createConsoleStore, type ConsoleStore } from '../../src/tui/store.js';
import { REDIS_URL, deletePrefix, uniquePrefix, waitFor } from '../helpers.js';

/** The host's log ring (what the console reads) and a pino logger writing to it. */
export class LogBuffer extends LogRing {
  readonly logger = pino({ level: 'debug' }, this);
}

export interface Harness {
  queues: RedisQueue[];
  queue: RedisQueue;
  workers: RedisWorker[];
  logs: LogBuffer;
  view: HostView;
  store: ConsoleStore;
  source: ConsoleDataSource;
  lastFrame(): string;
  press(...keys: string[]): Promise<void>;
  /** Polls the last frame until `check` holds (string: the frame contains it). */
  frame(check: string | RegExp | ((frame: string) => boolean), what?: string, timeoutMs?: number): Promise<string>;
  cleanup(): Promise<void>;
}

export interface HarnessOptions {
  queueNames?: string[];
  /** Another Redis, user or prefix than the test Redis under a fresh prefix (its keys are then left alone). */
  connect?: RedisQueueConfig;
  readOnly?: boolean;
  redact?: string[];
  /** Starts a worker per queue with these handlers. */
  handlers?: Record<string, Parameters<RedisWorker['registerHandler']>[1]>;
  numWorkers?: number;
  /** The host's firing alerts (a host without [alerts] has none). */
  firingAlerts?: HostView['firingAlerts'];
}

/** Key sequences as a terminal sends them. */
export const KEY = {
  enter: '\r', escape: '\u001B', tab: '\t', up: '\u001B[A', down: '\u001B[B', right: '\u001B[C', left: '\u001B[D',
  pageDown: '\u001B[6~', pageUp: '\u001B[5~', backspace: '\u007F',
} as const;

/** Builds the engine side and renders the console over it. */
export async function openHarness(options: HarnessOptions = {}): Promise<Harness> {
  const prefix = uniquePrefix('tui');
  const names = options.queueNames ?? ['default'];
  const first = await RedisQueue.connect(names[0]!, { url: REDIS_URL, prefix, retryDelays: [60_000], ...options.connect });
  const queues = [first, ...names.slice(1).map((name) => first.queue(name))];
  const logs = new LogBuffer();
  const workers: RedisWorker[] = [];
  if (options.handlers) {
    for (const queue of queues) {
      const worker = new RedisWorker(queue, { numWorkers: options.numWorkers ?? 2, pollTime: 100, logger: logs.logger });
      for (const [type, handler] of Object.entries(options.handlers)) worker.registerHandler(type, handler);
      void worker.start();
      workers.push(worker);
    }
  }
  const view: HostView = {
    queues,
    redisAddress: REDIS_URL.replace(/^redis:\/\//, ''),
    pool: () => workers.map((w, i) => ({ queue: queues[i]!.name, busy: w.activeJobs, concurrency: w.numWorkers })),
    logs,
    connectionState: () => 'connected',
    inFlight: () => workers.reduce((sum, w) => sum + w.activeJobs, 0),
    ...(options.firingAlerts === undefined ? {} : { firingAlerts: options.firingAlerts }),
    stop: async () => {
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
  const store = createConsoleStore({ address: view.redisAddress, queues: names, readOnly: options.readOnly ?? false });
  const source = new ConsoleDataSource(view, store, { pollMs: 100, workersMs: 300 });
  await source.start();
  const ink = render(<ConsoleRoot store={store} commands={source.commands} view={view} redact={options.redact ?? []} noColor={true} />);
  const lastFrame = () => ink.lastFrame() ?? '';
  const frame: Harness['frame'] = async (check, what, timeoutMs = 8_000) => {
    const test = typeof check === 'function' ? check
      : typeof check === 'string' ? (f: string) => f.includes(check) : (f: string) => check.test(f);
    try {
      return await waitFor(what ?? String(check), () => (test(lastFrame()) ? lastFrame() : null), { timeoutMs, intervalMs: 20 });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- last frame ---\n${lastFrame()}`);
    }
  };
  await frame('QUEUE', 'the first frame');
  // Ink subscribes key handlers in effects after the first frame: let them settle.
  for (let turn = 0; turn < 4; turn++) await new Promise((resolve) => setImmediate(resolve));
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      ink.stdin.write(key);
      // Ink hands a lone ESC over on the next turn, and React runs effects (key subscriptions of a
      // view that just got the focus) on later turns: yield a few turns, no timed sleep.
      for (let turn = 0; turn < 4; turn++) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return {
    queues, queue: first, workers, logs, view, store, source, lastFrame, press, frame,
    cleanup: async () => {
      ink.unmount();
      await source.stop();
      await Promise.all(workers.map((w) => w.stop({ timeout: 100 })));
      await first.close();
      if (options.connect === undefined) await deletePrefix(prefix);
    },
  };
}

/** The cells of the queues-table row of `name` in `frame`. */
export function queueRow(frame: string, name: string): string[] {
  const line = frame.split('\n').find((l) => l.trimStart().startsWith(`${name} `));
  return line ? line.trim().split(/\s+/) : [];
}
