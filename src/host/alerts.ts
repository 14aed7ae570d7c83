/**
 * Alerts of a headless host (`[alerts.<name>]`): every few seconds each rule is checked against its
 * queue (failure rate over a window, backlog, oldest waiting job, live workers). A rule that starts
 * firing sends a notice, and one when it resolves, as jobs for flexq's own handlers (a webhook with
 * Slack-compatible JSON, or an email); a cool-down keeps a flapping rule from sending on every turn.
 */
import type { Logger } from 'pino';
import type { RedisQueue } from '../engine/queue.js';
import type { AlertSettings } from './config-types.js';

/** How a rule stands now. */
interface RuleState {
  firing: boolean;
  /** A firing notice went out for this episode, so its end gets a resolved notice. */
  noticed: boolean;
  lastNoticeAt: number;
}

/** The job a notice becomes, by the handler type it goes to. */
export function noticePayload(rule: AlertSettings, firing: boolean, reasons: readonly string[]): Record<string, unknown> {
  const text = firing
    ? `flexq alert ${rule.name} FIRING on queue ${rule.queue}: ${reasons.join('; ')}`
    : `flexq alert ${rule.name} resolved on queue ${rule.queue}`;
  if (rule.notify.url !== undefined) return { url: rule.notify.url, data: { text } };
  if (rule.notify.to !== undefined) return { to: rule.notify.to, subject: text, body: text };
  return { alert: rule.name, queue: rule.queue, state: firing ? 'firing' : 'resolved', reasons, text };
}

/** Why `rule` fires now (empty: it does not), from its queue's state. */
export async function alertReasons(rule: AlertSettings, queue: RedisQueue, now: number): Promise<string[]> {
  const reasons: string[] = [];
  const { stats, oldestReadyAt } = await queue.getOverview();
  if (rule.backlog !== undefined && stats.pendingJobs > rule.backlog) reasons.push(`backlog ${stats.pendingJobs} > ${rule.backlog}`);
  if (rule.oldestWaiting !== undefined && oldestReadyAt !== null && now - oldestReadyAt.getTime() > rule.oldestWaiting) {
    reasons.push(`oldest waiting job ${Math.round((now - oldestReadyAt.getTime()) / 1000)}s > ${Math.round(rule.oldestWaiting / 1000)}s`);
  }
  if (rule.noWorkers && !(await queue.getWorkers()).some((worker) => worker.healthy)) reasons.push('no live worker');
  if (rule.failureRate !== undefined) {
    const minutes = Math.min(1_440, Math.max(1, Math.ceil(rule.window / 60_000)));
    const history = await queue.getHistory({ minutes });
    const failed = history.reduce((sum, minute) => sum + minute.failed, 0);
    const finished = failed + history.reduce((sum, minute) => sum + minute.completed, 0);
    if (finished >= rule.minJobs && failed / finished > rule.failureRate) {
      reasons.push(`failure rate ${Math.round((100 * failed) / finished)}% > ${Math.round(100 * rule.failureRate)}% over ${minutes} min (${failed} of ${finished})`);
    }
  }
  return reasons;
}

/** What the monitor works with. */
export interface AlertMonitorOptions {
  rules: readonly AlertSettings[];
  /** Every queue by name: the rules' own and those notices go to. */
  queue: (name: string) => RedisQueue;
  /** Where notices go when a rule names no `notify.queue`. */
  noticeQueue: string;
  logger: Logger;
  intervalMs: number;
  now?: () => number;
}

/** Checks the rules on a timer and sends their notices. */
export class AlertMonitor {
  private readonly states = new Map<string, RuleState>();
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;

  constructor(private readonly options: AlertMonitorOptions) {}

  start(): void {
    if (this.options.rules.length === 0) return;
    this.timer = setInterval(() => void this.check(), this.options.intervalMs);
    void this.check();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  /** The names of the rules firing now, for the console's header. */
  firing(): string[] {
    return [...this.states].filter(([, state]) => state.firing).map(([name]) => name);
  }

  /** One round over every rule (also what the timer runs); a round under way is not doubled. */
  check(): Promise<void> {
    this.checking ??= this.round().finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async round(): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    for (const rule of this.options.rules) {
      try {
        await this.checkRule(rule, now);
      } catch (err) {
        this.options.logger.warn({ err, alert: rule.name }, `alert ${rule.name}: could not check queue ${rule.queue}`);
      }
    }
  }

  private async checkRule(rule: AlertSettings, now: number): Promise<void> {
    const state = this.states.get(rule.name) ?? { firing: false, noticed: false, lastNoticeAt: -Infinity };
    this.states.set(rule.name, state);
    const reasons = await alertReasons(rule, this.options.queue(rule.queue), now);
    const firing = reasons.length > 0;
    if (firing === state.firing) return;
    state.firing = firing;
    const { logger } = this.options;
    if (firing) {
      logger.warn({ alert: rule.name, queue: rule.queue, reasons }, `alert ${rule.name} firing: ${reasons.join('; ')}`);
      // Within the cool-down after the last notice, a rule that fires again (flaps) sends nothing.
      state.noticed = now - state.lastNoticeAt >= rule.cooldown;
      if (state.noticed) await this.send(rule, true, reasons, now);
    } else {
      logger.info({ alert: rule.name, queue: rule.queue }, `alert ${rule.name} resolved`);
      if (state.noticed) await this.send(rule, false, [], now);
      state.noticed = false;
    }
  }

  private async send(rule: AlertSettings, firing: boolean, reasons: readonly string[], now: number): Promise<void> {
    const target = this.options.queue(rule.notify.queue ?? this.options.noticeQueue);
    await target.push({ type: rule.notify.type, payload: noticePayload(rule, firing, reasons) });
    this.states.get(rule.name)!.lastNoticeAt = now;
  }
}
