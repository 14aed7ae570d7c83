import type { Logger } from 'pino';
import { isRedisUnreachable, unreachableReason } from './errors.js';

/** Whether a worker's last Redis call got through; logs each change once, not every failure. */
export class Reachability {
  private down = false;

  constructor(private readonly logger: Logger) {}

  unreachable(err: unknown): void {
    if (this.down) return;
    this.down = true;
    // A lost connection's stack is ioredis's internals: the reason is what helps whoever reads the log.
    const cause = isRedisUnreachable(err) ? { reason: unreachableReason(err as Error) } : { err };
    this.logger.error(cause, 'Redis unreachable: worker paused until it answers again');
  }

  reachable(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info('Redis reachable again: worker resumed');
  }
}
