import { DEFAULTS } from './defaults.js';
import { JobAbortedError, leaseKey, type Attempt } from './attempt.js';
import type { Reachability } from './reachability.js';
import type { WorkerStore } from './store.js';

/**
 * Renews the leases of a worker's running attempts well before they run out, and aborts the
 * attempts whose lease is lost (the job was cancelled, or recovered by another worker). Renewals
 * come at least every `maxRenewInterval`, so a cancel reaches a running handler within a second.
 */
export class LeaseKeeper {
  private timer?: NodeJS.Timeout;
  private renewing = false;

  constructor(
    private readonly store: WorkerStore,
    private readonly running: ReadonlyMap<string, Attempt>,
    private readonly leaseMs: number,
    private readonly reachability: Reachability,
  ) {}

  start(): void {
    const every = Math.min(Math.floor(this.leaseMs / 3), DEFAULTS.maxRenewInterval);
    this.timer = setInterval(() => void this.renew(), Math.max(10, every));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async renew(): Promise<void> {
    if (this.running.size === 0 || this.renewing) return;
    this.renewing = true;
    try {
      const lost = await this.store.extendLeases([...this.running.values()].map((attempt) => attempt.lease), this.leaseMs);
      for (const lease of lost) {
        const attempt = this.running.get(leaseKey(lease));
        if (!attempt || attempt.abortReason) continue;
        const status = await this.store.jobStatus(lease.id);
        attempt.abort(status === 'cancelled'
          ? new JobAbortedError('cancelled', 'job cancelled')
          : new JobAbortedError('lease-lost', `lease lost: the job is ${status ?? 'gone'} now`));
      }
      this.reachability.reachable();
    } catch (err) {
      this.reachability.unreachable(err);
    } finally {
      this.renewing = false;
    }
  }
}
