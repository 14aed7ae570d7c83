/**
 * The host's alert loop: every `interval` it evaluates each `[alerts]` rule on its queues, notes the
 * result in Redis (lua/noteAlert.lua decides which host sends a notice: one per firing, then one
 * when it resolves, however many hosts check), queues the notices, logs what fires and resolves,
 * and keeps the alerts firing now for the console's header.
 */
import type { Logger } from 'pino';
import { noteAlert, type AlertNote } from '../engine/alert-state.js';
import type { RedisQueue } from '../engine/queue.js';
import type { AlertRule } from '../config/config-types.js';
import { evaluate, readingsOf, spokenDuration, type Evaluation, type QueueReadings } from './conditions.js';
import { noticeJobs } from './delivery.js';

/** An alert firing now, as this host sees it. */
export interface FiringAlert {
  rule: string;
  queue: string;
  /** What was seen at the last check, e.g. `1,204 jobs waiting (alert above 1,000)`. */
  detail: string;
  since: Date;
}

/** What the monitor watches and where it writes. */
export interface AlertMonitorOptions {
  rules: readonly AlertRule[];
  /** The queues a rule of `queue = "*"` covers, and where named queues are found. */
  queues: () => readonly RedisQueue[];
  /** flexq's own queue for notices (`ALERTS_QUEUE`); the shared alert state lives beside its keys. */
  alertsQueue: RedisQueue;
  interval: number;
  logger: Logger;
  /** False (a read-only console): evaluate and show, but write nothing and send nothing. */
  deliver: boolean;
}

/** Evaluates the alert rules on a timer; see the file's comment. */
export class AlertMonitor {
  private readonly firing = new Map<string, FiringAlert>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  /** Whether the last check failed, so a lost Redis is logged once rather than every check. */
  private failing = false;

  constructor(private readonly options: AlertMonitorOptions) {}

  /**
   * Checks every interval, each check starting an interval after the last one ended. The first
   * waits an interval too: workers starting beside the monitor have sent no heartbeat yet.
   */
  start(): void {
    const loop = (): void => {
      this.running = this.check().finally(() => {
        if (!this.stopped) this.timer = setTimeout(loop, this.options.interval);
      });
    };
    this.timer = setTimeout(loop, this.options.interval);
  }

  /** Stops checking; resolves once a check under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** The alerts firing now, oldest first. */
  firingAlerts(): FiringAlert[] {
    return [...this.firing.values()].sort((a, b) => a.since.getTime() - b.since.getTime());
  }

  /** One round over every rule and its queues. */
  async check(): Promise<void> {
    const now = Date.now();
    const readings = new Map<RedisQueue, QueueReadings>();
    const readingsFor = (queue: RedisQueue) => readings.get(queue) ?? readings.set(queue, readingsOf(queue)).get(queue)!;
    let failed = false;
    for (const rule of this.options.rules) {
      const queues = this.options.queues().filter((queue) => rule.queue === '*' || queue.name === rule.queue);
      for (const queue of queues) {
        try {
          await this.checkOne(rule, queue, await evaluate(rule, readingsFor(queue), now), now);
        } catch (error) {
          failed = true;
          if (!this.failing) this.options.logger.warn({ err: error, alert: rule.name, queue: queue.name }, `alert ${rule.name}: cannot check queue ${queue.name}`);
        }
      }
    }
    this.failing = failed;
  }

  private async checkOne(rule: AlertRule, queue: RedisQueue, seen: Evaluation, now: number): Promise<void> {
    const { logger, alertsQueue, deliver } = this.options;
    const id = `${rule.name}:${queue.name}`;
    const note: AlertNote | null = deliver ? await noteAlert(alertsQueue, id, seen.holds, rule.coolDown) : null;
    const was = this.firing.get(id);
    const fields = { alert: rule.name, queue: queue.name, condition: rule.condition.kind, value: seen.value, detail: seen.detail };
    if (note?.notice === 'fire' || note?.notice === 'resolve') {
      const state = note.notice === 'fire' ? 'firing' : 'resolved';
      const lasted = note.since === null ? '' : ` after ${spokenDuration(now - note.since.getTime())}`;
      const text = state === 'firing'
        ? `[flexq] FIRING ${rule.name} on queue ${queue.name}: ${seen.detail}`
        : `[flexq] RESOLVED ${rule.name} on queue ${queue.name}${lasted}: ${seen.detail}`;
      await alertsQueue.pushBulk(noticeJobs(rule, { queue: queue.name, state, text }));
    }
    const notified = note === null ? undefined : note.notice !== 'quiet';
    if (seen.holds) {
      this.firing.set(id, { rule: rule.name, queue: queue.name, detail: seen.detail, since: was?.since ?? note?.since ?? new Date(now) });
      if (was === undefined) logger.warn({ ...fields, notified }, `alert ${rule.name} firing on queue ${queue.name}: ${seen.detail}`);
      else if (notified) logger.warn({ ...fields, notified }, `alert ${rule.name} still firing on queue ${queue.name}: ${seen.detail} (notice sent again after its cool-down)`);
    } else if (was !== undefined || note?.notice === 'resolve') {
      this.firing.delete(id);
      logger.info({ ...fields, notified }, `alert ${rule.name} resolved on queue ${queue.name}: ${seen.detail}`);
    }
  }
}
