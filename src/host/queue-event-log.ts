import type { Logger } from 'pino';
import type { RedisQueue } from '../engine/queue.js';
import { exactDuration } from '../shared/rate-limit-text.js';

/** How often the hosted queues' event feeds are read for the log. */
const POLL_MS = 1_000;
/** Feed entries read per queue per poll; more wait for the next poll. */
const BATCH = 200;

/**
 * Logs what other processes do to the hosted queues: a pause, a resume, a cancel. Each is a
 * change an operator makes from `flexq pause`, the console or a script, and the log of the host
 * that stops (or resumes) taking jobs is where one looks for why. Job outcomes are logged by the
 * workers themselves, so only these three events are followed.
 */
export class QueueEventLog {
  private readonly after = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;

  constructor(
    private readonly queues: readonly RedisQueue[],
    private readonly logger: Logger,
  ) {}

  /** Starts following from the newest event, so only what happens from now on is logged. */
  async start(): Promise<void> {
    for (const queue of this.queues) this.after.set(queue.name, await queue.lastEventId());
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, POLL_MS);
    this.timer.unref();
  }

  /** Stops polling; waits for a read under way, so no line is logged after the host stopped. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.polling;
  }

  private async poll(): Promise<void> {
    await Promise.all(this.queues.map(async (queue) => {
      try {
        const events = await queue.readEvents(this.after.get(queue.name) ?? '0', BATCH);
        for (const event of events) {
          this.logEvent(queue.name, event.event, event.jobIds, event.detail);
          this.after.set(queue.name, event.id);
        }
      } catch {
        // Redis is away: the connection monitor reports that, and the next poll catches up.
      }
    }));
  }

  private logEvent(queue: string, event: string, jobIds: readonly string[], detail: string | undefined): void {
    switch (event) {
      case 'paused':
        this.logger.info({ queue, event }, `queue ${queue} paused: no new jobs are claimed until it is resumed`);
        break;
      case 'resumed':
        this.logger.info({ queue, event }, `queue ${queue} resumed`);
        break;
      case 'rateLimit': {
        // The detail is the new limit, `max|per` (ms), or '' once lifted.
        const [max, per] = (detail ?? '').split('|').map(Number);
        const limit = max && per ? `at most ${max} jobs start per ${exactDuration(per)}` : 'no rate limit';
        this.logger.info({ queue, event, ...(max && per ? { rateLimit: { max, per } } : {}) }, `queue ${queue}: ${limit}`);
        break;
      }
      case 'cancelled':
        for (const jobId of jobIds) {
          this.logger.info({ queue, event, jobId, ...(detail ? { previousStatus: detail } : {}) }, `job ${jobId} cancelled${detail ? ` (was ${detail})` : ''}`);
        }
        break;
      default:
        break;
    }
  }
}
