/** The console marks a queue its rate limit holds back, in its row and in its tab strip. */
import { afterEach, expect, it } from 'vitest';
import { openHarness, queueRow, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

it('a queue held by its rate limit shows "limited" and its limit; lifting it shows "running" again', async () => {
  h = await openHarness({ queueNames: ['held', 'free'] });
  const [held] = h.queues as [typeof h.queue];
  await held.setRateLimit({ max: 1, per: 60_000 });
  await held.pushBulk([{ type: 'a' }, { type: 'a' }]);
  expect(await held.pop()).not.toBeNull();
  const frame = await h.frame((f) => queueRow(f, 'held')[1] === 'limited', 'the held queue marked');
  expect(queueRow(frame, 'free')[1]).toBe('running');
  expect(frame).toContain('limit 1/1m held');
  await held.setRateLimit(null);
  await h.frame((f) => queueRow(f, 'held')[1] === 'running' && !f.includes('limit 1/1m'), 'the limit lifted');
});
