/**
 * What the console needs from the executable host. The host implements this (its own
 * `src/host/host-view.ts` may re-export or extend it); the console never reaches past it.
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

/** This host's worker pool for one queue. */
export interface PoolSlot {
  queue: string;
  busy: number;
  concurrency: number;
}

/** Whether the host's Redis connection answers. */
export type ConnectionState = 'connected' | 'reconnecting';

/** The host's log buffer: what is kept, and new lines as they come. */
export interface LogSource {
  lines(): readonly LogLine[];
  /** Calls `listener` for every new line; returns the unsubscribe function. */
  subscribe(listener: (line: LogLine) => void): () => void;
}

/** The executable host as the console sees it. */
export interface HostView {
  /** The queues this host serves, connected. */
  readonly queues: readonly RedisQueue[];
  /** Printable Redis address, e.g. `localhost:6379`. */
  readonly redisAddress: string;
  /** This host's worker pool, per queue. */
  pool(): PoolSlot[];
  readonly logs: LogSource;
  connectionState(): ConnectionState;
  /** Optional push of connection changes; returns the unsubscribe function. */
  onConnectionChange?(listener: (state: ConnectionState) => void): () => void;
  /** Jobs this host is running now. */
  inFlight(): number;
  /** Graceful stop: claims nothing more and resolves once in-flight jobs have finished. */
  stop(): Promise<void>;
}

/** A worker process seen through its heartbeat (the shape of the engine's `queue.getWorkers()`). */
export interface WorkerInfo {
  id: string;
  host: string;
  pid: number;
  queue: string;
  busy: number;
  concurrency: number;
  lastFetchAt: Date;
  lastSeenAt: Date;
  healthy: boolean;
}
