/**
 * What a console needs from the running worker host. The shapes match the console branch's
 * `src/tui/host-view.ts` member for member (so `WorkerHost` satisfies both), plus `embeddedRedis`
 * and `redact`, which the host knows and the console may show.
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
  /** The whole decoded line, for fields the console does not name. */
  raw: Record<string, unknown>;
}

/** The host's log buffer: what is kept (the newest ~2,000 lines), and new lines as they come. */
export interface LogSource {
  /** Kept lines, oldest first. */
  lines(): readonly LogLine[];
  /** Calls `listener` for every new line; returns the unsubscribe function. */
  subscribe(listener: (line: LogLine) => void): () => void;
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

/** The executable host as the console sees it. */
export interface HostView {
  /** The queues this host serves, in config order, sharing one connection. */
  readonly queues: readonly RedisQueue[];
  /** Printable Redis address without credentials, e.g. `localhost:6379`. */
  readonly redisAddress: string;
  /** True when flexq started its own redis-server (data under ./.flexq/) for this run. */
  readonly embeddedRedis: boolean;
  /** Payload paths to mask before showing a payload (`redactPayload` in src/host/redact.ts). */
  readonly redact: readonly string[];
  /** This host's worker pool, per queue, in config order. */
  pool(): PoolSlot[];
  readonly logs: LogSource;
  connectionState(): ConnectionState;
  /** Push of connection changes; returns the unsubscribe function. */
  onConnectionChange(listener: (state: ConnectionState) => void): () => void;
  /** Jobs this host is running now. */
  inFlight(): number;
  /** Graceful stop: claims nothing more; running jobs get the configured shutdown timeout, then go back to the queue. */
  stop(): Promise<void>;
}
