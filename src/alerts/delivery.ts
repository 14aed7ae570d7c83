/**
 * How alert notices travel: as jobs of flexq's own queue `flexq-alerts`, run by every host that
 * has `[alerts]` and runs workers, with the built-in webhook and email handlers. A queue of their
 * own, so a notice never waits behind the backlog (or the failing jobs) it reports.
 */
import type { NewJob } from '../engine/types.js';
import type { Handler, Job, JobContext, JobResult } from '../engine/types.js';
import type { AlertRule } from '../config/config-types.js';

/** The queue alert notices are queued on, beside the user's queues under the same prefix. */
export const ALERTS_QUEUE = 'flexq-alerts';
/** The job type of an alert notice. */
export const ALERT_JOB_TYPE = 'flexq-alert';

/** A notice job's payload. The target's url or addresses stay in flexq.toml (or its environment), not in Redis. */
export interface AlertNoticePayload {
  alert: string;
  queue: string;
  state: 'firing' | 'resolved';
  target: 'webhook' | 'email';
  text: string;
}

/** One job per target of `rule`. */
export function noticeJobs(rule: AlertRule, notice: Omit<AlertNoticePayload, 'alert' | 'target'>): NewJob[] {
  const targets = [...(rule.webhook === undefined ? [] : ['webhook'] as const), ...(rule.email === undefined ? [] : ['email'] as const)];
  return targets.map((target) => ({ type: ALERT_JOB_TYPE, payload: { alert: rule.name, target, ...notice } satisfies AlertNoticePayload }));
}

/**
 * The handler of notice jobs: finds the rule by name in this host's config and hands the notice to
 * the webhook built-in (a Slack-compatible `{ "text": … }` body) or the email built-in (`[smtp]`).
 */
export function alertNoticeHandler(rules: readonly AlertRule[], send: { webhook: Handler; email: Handler }): Handler {
  return {
    async handle(ctx: JobContext, job: Job): Promise<JobResult> {
      const { alert, target, text, state } = job.payload as Partial<AlertNoticePayload>;
      const rule = rules.find((candidate) => candidate.name === alert);
      if (rule === undefined || typeof text !== 'string') {
        return { success: false, retry: false, error: `no [alerts.${String(alert)}] rule in this host's flexq.toml to deliver the notice to` };
      }
      if (target === 'webhook' && rule.webhook !== undefined) {
        return send.webhook.handle(ctx, { ...job, payload: { url: rule.webhook, method: 'POST', data: { text } } });
      }
      if (target === 'email' && rule.email !== undefined) {
        const subject = `[flexq] ${state === 'resolved' ? 'resolved' : 'firing'}: ${rule.name}`;
        return send.email.handle(ctx, { ...job, payload: { to: rule.email, subject, body: text } });
      }
      return { success: false, retry: false, error: `[alerts.${rule.name}] has no ${String(target)} target in this host's flexq.toml` };
    },
  };
}
