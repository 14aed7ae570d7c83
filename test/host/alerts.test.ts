/** Alert rules against real queues: when they fire and resolve, what the notices say, and the cool-down. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { RedisWorker, type RedisQueue } from '../../src/index.js';
import { AlertMonitor } from '../../src/host/alerts.js';
import type { AlertSettings } from '../../src/host/config-types.js';
import { freshQueue, waitFor } from '../helpers.js';

let mail: RedisQueue;
let notices: RedisQueue;
let cleanup: () => Promise<void>;
let now: number;

beforeEach(async () => {
  ({ queue: mail, cleanup } = await freshQueue('mail'));
  notices = mail.queue('notices');
  now = Date.now();
});
afterEach(async () => {
  await notices.close();
  await cleanup();
});

function rule(more: Partial<AlertSettings>): AlertSettings {
  return {
    name: 'mail-alert', queue: 'mail', window: 300_000, minJobs: 1, noWorkers: false, cooldown: 900_000,
    notify: { type: 'webhook', url: 'https://hooks.example.com/T1' }, ...more,
  };
}

function monitor(...rules: AlertSettings[]): AlertMonitor {
  const byName = new Map([['mail', mail], ['notices', notices]]);
  return new AlertMonitor({
    rules, queue: (name) => byName.get(name)!, noticeQueue: 'notices', logger: pino({ level: 'silent' }), intervalMs: 60_000, now: () => now,
  });
}

/** The texts of the notices sent so far, oldest first. */
async function sent(): Promise<string[]> {
  const jobs = await notices.listJobs('pending', { limit: 100 });
  return jobs.reverse().map((job) => String((job.payload['data'] as { text: string }).text));
}

describe('alerts', () => {
  it('a backlog fires once with a Slack-style notice, resolves with another, and a flap within the cool-down sends nothing', async () => {
    const alerts = monitor(rule({ backlog: 2 }));
    const jobs = await mail.pushBulk([{ type: 't' }, { type: 't' }, { type: 't' }]);
    await alerts.check();
    await alerts.check();
    expect(alerts.firing()).toEqual(['mail-alert']);
    expect(await sent()).toEqual(['flexq alert mail-alert FIRING on queue mail: backlog 3 > 2']);
    const [notice] = await notices.listJobs('pending');
    expect(notice).toMatchObject({ type: 'webhook', payload: { url: 'https://hooks.example.com/T1' } });

    await mail.cancelJob(jobs[0]!.id);
    now += 60_000;
    await alerts.check();
    expect(alerts.firing()).toEqual([]);
    expect((await sent()).at(-1)).toBe('flexq alert mail-alert resolved on queue mail');

    // Fires again 2 minutes after the last notice: within the 15-minute cool-down, silently.
    await mail.push({ type: 't' });
    now += 60_000;
    await alerts.check();
    expect(alerts.firing()).toEqual(['mail-alert']);
    expect(await sent()).toHaveLength(2);
    // Resolving a silent episode says nothing either; after the cool-down, firing notifies again.
    await mail.cancelJob(jobs[1]!.id);
    await alerts.check();
    await mail.push({ type: 't' });
    now += 900_000;
    await alerts.check();
    expect(await sent()).toHaveLength(3);
  });

  it('a failure rate over the window fires once enough jobs finished, naming the figures', async () => {
    const worker = new RedisWorker(mail, { numWorkers: 4, pollTime: 50 });
    worker.registerHandler('t', (_ctx, job) => ({ success: job.payload['ok'] === true, retry: false, error: 'no' }));
    void worker.start();
    await mail.pushBulk([{ type: 't', payload: { ok: true } }, ...Array.from({ length: 3 }, () => ({ type: 't', payload: {} }))]);
    await waitFor('four jobs finished', async () => {
      const totals = await mail.getTotals();
      return totals.completed + totals.failed === 4;
    });
    await worker.stop();
    const alerts = monitor(rule({ name: 'rate', failureRate: 0.5, minJobs: 4 }), rule({ name: 'quiet', failureRate: 0.5, minJobs: 5 }));
    now = Date.now();
    await alerts.check();
    expect(alerts.firing()).toEqual(['rate']);
    expect(await sent()).toEqual(['flexq alert rate FIRING on queue mail: failure rate 75% > 50% over 5 min (3 of 4)']);
  });

  it('no live worker and an old waiting job fire; an email notice has a subject and body', async () => {
    await mail.push({ type: 't' });
    const alerts = monitor(rule({ noWorkers: true, oldestWaiting: 60_000, notify: { type: 'email', to: 'oncall@example.com' } }));
    now = Date.now() + 120_000;
    await alerts.check();
    const [notice] = await notices.listJobs('pending');
    expect(notice).toMatchObject({ type: 'email', payload: { to: 'oncall@example.com' } });
    expect(notice!.payload['subject']).toMatch(/^flexq alert mail-alert FIRING on queue mail: oldest waiting job 12\ds > 60s; no live worker$/);
  });
});
