/**
 * What the console needs from the executable host: the console declares what it consumes, and the
 * host's `src/host/host-view.ts` extends this with what only the host needs. The console never
 * reaches past it.
 */
import type { RedisQueue } from '../engine/queue.js';

/** One structured log line of this host (pino's JSON, decoded). */
export interface LogLine {
  /** Epoch milliseconds. */
  time: number;
  /** pino level label: trace, debug, info, warn, error, fatal. */
  level: string;
  msg: string;
  jobId?: string;
  queue?: string;
  /** Why it went wrong: a failed job's error, or a logged error's message. */
  error?: string;
  /** The whole decoded line, for fields the console does not name. */
  raw: Record<string, unknown>;
}

/** This host's worker pool for one queue. */
export interface PoolSlot {
  queue: string;
  /** Handlers running now (`worker.activeJobs`). */
  busy: number;
  /** Handlers that may run at once (`worker.numWorkers`). */
  concurrency: number;
}

/** Whether the host's Redis connection answers. */
export type ConnectionState = 'connected' | 'reconnecting';

/** The host's log buffer: what is kept (the newest lines), and new lines as they come. */
export interface LogSource {
  /** Kept lines, oldest first. */
  lines(): readonly LogLine[];
  /** Calls `listener` for every new line; returns the unsubscribe function. */
  subscribe(listener: (line: LogLine) => void): () => void;
}

/** An `[alerts]` rule firing now on one queue, as the host last checked it. */
export interface FiringAlertView {
  rule: string;
  queue: string;
  /** What was seen, e.g. `1,204 jobs waiting (alert above 1,000)`. */
  detail: string;
}

/** The executable host as the console sees it. */
export interface HostView {
  /** The queues this host serves, connected, in config order. */
  readonly queues: readonly RedisQueue[];
  /** Printable Redis address without credentials, e.g. `localhost:6379`. */
  readonly redisAddress: string;
  /** This host's worker pool, per queue. */
  pool(): PoolSlot[];
  readonly logs: LogSource;
  connectionState(): ConnectionState;
  /**
   * Push of connection changes; returns the unsubscribe function. Optional here because the
   * console also polls `connectionState()`; the real host always offers it.
   */
  onConnectionChange?(listener: (state: ConnectionState) => void): () => void;
  /**
   * Every queue to show now, re-read where the set can grow (a console showing every queue used
   * under the prefix): those shown so far and any first used since. Absent: `queues` is all.
   */
  discoverQueues?(): Promise<readonly RedisQueue[]>;
  /** Jobs this host is running now. */
  inFlight(): number;
  /** The alerts firing now (optional: a host without `[alerts]` has none). */
  firingAlerts?(): readonly FiringAlertView[];
  /** Graceful stop: claims nothing more and resolves once in-flight jobs have finished or been handed back. */
  stop(): Promise<void>;
}
