import { hostname } from 'node:os';
import { DEFAULTS } from './defaults.js';
import type { Reachability } from './reachability.js';
import { isPermissionRefusal } from './errors.js';
import type { QueueStore, WorkerStore } from './store.js';
import type { WorkerInfo } from './types.js';

/** What a worker says of itself in each heartbeat. */
export interface WorkerLoad {
  busy: number;
  concurrency: number;
  types: string[];
  startedAt: number;
  lastFetchAt: number;
}

/** Publishes a worker's heartbeat every few seconds, for consoles and for peers routing job types. */
export class Heartbeat {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: WorkerStore,
    private readonly workerId: string,
    private readonly load: () => WorkerLoad,
    private readonly reachability: Reachability,
    /** Registers the queue under its prefix (once it got through, a no-op), so consoles find it. */
    private readonly register: () => Promise<void>,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.beat(), DEFAULTS.heartbeatInterval);
    void this.beat();
  }

  /** Stops beating and removes this worker from the list, so consoles do not show it as stale. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.store.removeHeartbeats([this.workerId]).catch(() => {});
  }

  private async beat(): Promise<void> {
    const beat = { host: hostname(), pid: process.pid, ...this.load(), lastSeenAt: Date.now() };
    const published = Promise.all([
      this.register(),
      this.store.heartbeat(this.workerId, JSON.stringify(beat)),
    ]);
    await published.catch((err: unknown) => this.reachability.unreachable(err));
  }
}

/** The workers of `queue` from the heartbeats in `home`, sorted by id; long-silent ones are dropped (and removed). */
export async function readWorkers(queue: string, home: QueueStore): Promise<WorkerInfo[]> {
  const now = Date.now();
  const workers: WorkerInfo[] = [];
  const expired: string[] = [];
  for (const [id, json] of Object.entries(await home.heartbeats())) {
    const beat = JSON.parse(json) as Omit<WorkerInfo, 'id' | 'queue' | 'healthy' | 'startedAt' | 'lastFetchAt' | 'lastSeenAt'>
      & { startedAt: number; lastFetchAt: number; lastSeenAt: number };
    const silentFor = now - beat.lastSeenAt;
    if (silentFor > DEFAULTS.heartbeatExpiry) {
      expired.push(id);
      continue;
    }
    workers.push({
      ...beat, types: beat.types ?? [], id, queue, startedAt: new Date(beat.startedAt), lastFetchAt: new Date(beat.lastFetchAt),
      lastSeenAt: new Date(beat.lastSeenAt), healthy: silentFor <= 3 * DEFAULTS.heartbeatInterval,
    });
  }
  // Tidying up is a write: a read-only Redis user leaves it to others.
  await home.removeHeartbeats(expired).catch((err: unknown) => {
    if (!isPermissionRefusal(err)) throw err;
  });
  return workers.sort((a, b) => a.id.localeCompare(b.id));
}
