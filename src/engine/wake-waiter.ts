import type { RedisClient } from './connection.js';
import { DEFAULTS } from './defaults.js';
import type { Reachability } from './reachability.js';
import { waitForWake, type QueueStore } from './store.js';
import { sleep } from './timers.js';

/** What the waiter needs to know of its worker. */
export interface WaiterHooks {
  /** The worker is running (not stopping). */
  running(): boolean;
  /** The worker has a slot for another job. */
  hasFreeSlot(): boolean;
  /** Wakes the worker's fetch loop. */
  wakeLoop(): void;
}

/**
 * An idle worker's wait on its queue's wake marker (Redis leaves one whenever jobs become ready;
 * each woken worker passes it on while work remains). One BLPOP is open at a time, on a
 * connection of its own. A wait that ends for another reason (a due time, a stop) leaves its BLPOP
 * open; a marker that BLPOP takes later was meant for any idle worker, so it is acted on here if a
 * slot is free, and otherwise handed back to Redis for the others.
 */
export class WakeWaiter {
  private open?: Promise<'marker' | 'timeout' | 'failed'>;
  private listening = false;
  private markerKept = false;

  constructor(
    private readonly store: QueueStore,
    private readonly blocking: RedisClient,
    private readonly pollTime: number,
    private readonly reachability: Reachability,
    private readonly hooks: WaiterHooks,
  ) {}

  /**
   * Waits until there may be work: a marker, `interrupted` (something fell due, a handler was
   * registered, a stop), or `idleChecks` quiet pollTimes. A quiet pollTime costs no claim: markers
   * say when jobs are ready, and the claim after the last quiet poll is the net for a marker lost
   * with a worker that died between taking it and claiming.
   */
  async idle(interrupted: Promise<void>): Promise<void> {
    if (this.markerKept) {
      this.markerKept = false;
      return;
    }
    this.listening = true;
    try {
      const stop = interrupted.then(() => 'interrupted' as const);
      for (let quiet = 0; quiet < DEFAULTS.idleChecks && this.hooks.running(); quiet++) {
        if ((await Promise.race([stop, this.waitOnce()])) !== 'timeout') break;
      }
    } finally {
      this.listening = false;
      this.markerKept = false;
    }
  }

  private waitOnce(): Promise<'marker' | 'timeout' | 'failed'> {
    this.open ??= waitForWake(this.blocking, this.store.keys, this.pollTime)
      .then((woken): 'marker' | 'timeout' => {
        if (woken && !this.listening) this.leftoverMarker();
        return woken ? 'marker' : 'timeout';
      })
      .catch(async (err: unknown): Promise<'failed'> => {
        if (this.hooks.running()) {
          this.reachability.unreachable(err);
          await sleep(this.pollTime);
        }
        return 'failed';
      })
      .finally(() => (this.open = undefined));
    return this.open;
  }

  /** A marker taken by a BLPOP whose wait had already ended. */
  private leftoverMarker(): void {
    if (this.hooks.running() && this.hooks.hasFreeSlot()) {
      this.markerKept = true;
      this.hooks.wakeLoop();
      return;
    }
    this.store.wakeWorkers().catch((err: unknown) => this.reachability.unreachable(err));
  }
}
