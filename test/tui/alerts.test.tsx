/** The console's header shows the [alerts] firing now, from a real alert monitor on the harness's queues. */
import { pino } from 'pino';
import { afterEach, expect, it } from 'vitest';
import { AlertMonitor } from '../../src/alerts/monitor.js';
import { ALERTS_QUEUE } from '../../src/alerts/delivery.js';
import type { AlertRule } from '../../src/config/config-types.js';
import { jobRowsFor } from '../../src/tui/components/App.js';
import { openHarness, type Harness } from './harness.js';

let h: Harness | undefined;
let monitor: AlertMonitor | undefined;
afterEach(async () => {
  await monitor?.stop();
  await h?.cleanup();
  h = monitor = undefined;
});

const backlog: AlertRule = { name: 'backlog', queue: '*', condition: { kind: 'backlogAbove', jobs: 2 }, coolDown: 60_000, webhook: 'http://127.0.0.1:9/' };

it('shows a firing alert under the header line while it fires, and drops it when it clears', async () => {
  h = await openHarness({ queueNames: ['default', 'emails'], firingAlerts: () => monitor?.firingAlerts() ?? [] });
  const alertsQueue = h.queue.queue(ALERTS_QUEUE);
  monitor = new AlertMonitor({ rules: [backlog], queues: () => h!.queues, alertsQueue, interval: 50, logger: pino({ level: 'silent' }), deliver: false });
  monitor.start();
  const emails = h.queues[1]!;
  const jobs = await emails.pushBulk([{ type: 't' }, { type: 't' }, { type: 't' }]);
  const frame = await h.frame('▲ alert: backlog on emails: 3 jobs waiting (alert above 2)');
  const lines = frame.split('\n');
  expect(lines[0]).toMatch(/^flexq /);
  expect(lines[1]).toBe('▲ alert: backlog on emails: 3 jobs waiting (alert above 2)');
  for (const job of jobs) await emails.cancelJob(job.id);
  const cleared = await h.frame((f) => !f.includes('▲'), 'the alert gone');
  expect(cleared.split('\n')[1]).toMatch(/^QUEUE/);
  await alertsQueue.close();
});

it('gives the alerts line up from the jobs pane, so the screen still fits the terminal', () => {
  expect(jobRowsFor(24, 2, false, false, true)).toBe(jobRowsFor(24, 2, false, false) - 1);
  expect(jobRowsFor(24, 2, true, false, true)).toBe(jobRowsFor(24, 2, false, false) - 2);
});
