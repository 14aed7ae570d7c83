import type { Logger } from 'pino';

/** Whether a worker's last Redis call got through; logs each change once, not every failure. */
export class Reachability {
  private down = false;

  constructor(private readonly logger: Logger) {}

  unreachable(err: unknown): void {
    if (this.down) return;
    this.down = true;
    this.logger.error({ err }, 'Redis unreachable: worker paused until it answers again');
  }

  reachable(): void {
    if (!this.down) return;
    this.down = false;
    this.logger.info('Redis reachable again: worker resumed');
  }
}
