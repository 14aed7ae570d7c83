/** The console shows a queue's cap per fair group in its tab strip, and a job's group in its detail pane. */
import { afterEach, expect, it } from 'vitest';
import { KEY, openHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

it("shows the queue's group cap while it has one, and a job's group in its detail", async () => {
  h = await openHarness({ queueNames: ['tenants'] });
  await h.queue.setGroupConcurrency(3);
  const job = await h.queue.push({ type: 'report', group: 'customer-42' });
  await h.frame((f) => f.includes('≤3 per group'), 'the group cap in the tab strip');
  await h.press('1');
  await h.frame((f) => f.includes(job.id), 'the job in the pending tab');
  await h.press(KEY.enter);
  await h.frame((f) => /group\s+customer-42/.test(f), "the job's group in its detail");
  await h.queue.setGroupConcurrency(null);
  await h.frame((f) => !f.includes('per group'), 'the cap lifted');
});
