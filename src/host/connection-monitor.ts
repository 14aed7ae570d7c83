import type { ConnectionState } from './host-view.js';

/** How often the host asks Redis whether it is there; cheap, and fast enough for a console banner. */
const CHECK_INTERVAL_MS = 1_000;

/** Follows whether Redis answers, by a periodic round trip, and tells listeners when that changes. */
export class ConnectionMonitor {
  private current: ConnectionState = 'connected';
  private readonly listeners = new Set<(state: ConnectionState) => void>();
  private timer?: NodeJS.Timeout;
  private checking = false;

  /** `roundTrip` rejects when Redis does not answer in time. */
  constructor(private readonly roundTrip: () => Promise<unknown>, private readonly intervalMs = CHECK_INTERVAL_MS) {}

  start(): void {
    // Unref'd: the monitor alone must never keep the process alive.
    this.timer ??= setInterval(() => void this.check(), this.intervalMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  state(): ConnectionState {
    return this.current;
  }

  onChange(listener: (state: ConnectionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    let next: ConnectionState;
    try {
      await this.roundTrip();
      next = 'connected';
    } catch {
      next = 'reconnecting';
    } finally {
      this.checking = false;
    }
    if (next === this.current) return;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }
}
