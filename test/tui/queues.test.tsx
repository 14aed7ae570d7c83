import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../src/index.js';
import { KEY, openHarness, queueRow, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('queues table', () => {
  it('shows the numbers getStats gives, and follows changes live', async () => {
    h = await openHarness({ queueNames: ['mail', 'hooks'] });
    const [mail, hooks] = h.queues as [typeof h.queue, typeof h.queue];
    await mail.push({ type: 'a' });
    await mail.push({ type: 'a' });
    await mail.pushDelayed({ type: 'a' }, 60_000);
    const claimed = await mail.pop();
    await mail.cancelJob(claimed!.id);
    await hooks.push({ type: 'b' });
    await h.frame((f) => queueRow(f, 'mail')[2] === '1' && queueRow(f, 'hooks')[2] === '1', 'counts of both queues');
    for (const [queue, name] of [[mail, 'mail'], [hooks, 'hooks']] as const) {
      const s = await queue.getStats();
      const row = queueRow(h.lastFrame(), name);
      expect(row.slice(0, 9)).toEqual([
        name, 'running', String(s.pendingJobs), String(s.delayedJobs), String(s.processingJobs),
        String(s.retryingJobs), String(s.failedJobs), String(s.completedJobs), String(s.cancelledJobs),
      ]);
    }
    // A change made elsewhere shows from the event feed.
    await hooks.push({ type: 'b' });
    await h.frame((f) => queueRow(f, 'hooks')[2] === '2', 'the new pending job');
    expect(queueRow(h.lastFrame(), 'hooks')[2]).toBe(String((await hooks.getStats()).pendingJobs));
    expect(queueRow(h.lastFrame(), 'mail')[10]).toMatch(/^\d+s$/); // age of the oldest waiting job
  });

  it('OLDEST shows how long the oldest ready job has waited (getOverview), "-" when none is ready', async () => {
    h = await openHarness({ queueNames: ['ready', 'later'] });
    const [ready, later] = h.queues as [typeof h.queue, typeof h.queue];
    const job = await ready.push({ type: 'a' });
    await later.pushDelayed({ type: 'a' }, 60_000);
    const frame = await h.frame((f) => queueRow(f, 'ready')[2] === '1' && queueRow(f, 'later')[3] === '1', 'both queues counted');
    expect((await ready.getOverview()).oldestReadyAt).not.toBeNull();
    expect(queueRow(frame, 'ready')[10]).toMatch(/^\d+s$/);
    // A delayed job is not ready yet: it does not count as waiting.
    expect((await later.getOverview()).oldestReadyAt).toBeNull();
    expect(queueRow(frame, 'later')[10]).toBe('-');
    await ready.cancelJob(job.id);
    await h.frame((f) => queueRow(f, 'ready')[2] === '0' && queueRow(f, 'ready')[10] === '-', 'no ready job left');
  });

  it('p pauses and resumes the selected queue', async () => {
    h = await openHarness({ queueNames: ['one', 'two'] });
    await h.press('j', 'p');
    await h.frame((f) => queueRow(f, 'two')[1] === 'paused', 'two paused');
    expect(await h.queues[1]!.isPaused()).toBe(true);
    expect(await h.queues[0]!.isPaused()).toBe(false);
    await h.press('p');
    await h.frame((f) => queueRow(f, 'two')[1] === 'running', 'two running again');
    expect(await h.queues[1]!.isPaused()).toBe(false);
    // Paused from another client: the feed brings it.
    await h.queues[0]!.pause();
    await h.frame((f) => queueRow(f, 'one')[1] === 'paused', 'one paused elsewhere');
  });

  it('status tabs list the jobs of each status; the jobs pane pages', async () => {
    h = await openHarness();
    const q = h.queue;
    const pending: Job[] = [];
    for (let i = 0; i < 25; i++) pending.push(await q.push({ type: `job-${String(i).padStart(2, '0')}` }));
    const delayed = await q.pushDelayed({ type: 'later' }, 60_000);
    const cancelled = await q.push({ type: 'doomed' });
    await q.cancelJob(cancelled.id);
    // The tabs count what the queue row counts: pending is the ready jobs, the delayed one is apart.
    await h.frame((f) => f.includes('1:pend 25 2:dela 1') && queueRow(f, 'default')[2] === '25', 'pending count in the tab strip');
    // Tab 1: newest first, the page holds what fits.
    await h.press(KEY.enter);
    await h.frame((f) => f.includes('page 1/2') && f.includes(pending[24]!.id), 'first page, newest first');
    expect(h.lastFrame()).not.toContain(delayed.id);
    const pageSize = h.store.getState().pageSize;
    await h.press(']');
    await h.frame((f) => f.includes('page 2/2') && f.includes(pending[0]!.id), 'second page');
    expect(h.lastFrame()).not.toContain(delayed.id);
    await h.press('[');
    await h.frame((f) => f.includes('page 1/2') && f.includes(pending[24]!.id), 'back to page 1');
    // Paging by moving past the last row.
    for (let i = 0; i < pageSize; i++) await h.press('j');
    await h.frame('page 2/', 'j past the bottom turns the page');
    await h.press('2');
    await h.frame((f) => f.includes(delayed.id) && !f.includes(pending[0]!.id) && /RUN AT/.test(f), 'delayed tab');
    await h.press('7');
    await h.frame((f) => f.includes(cancelled.id) && !f.includes(delayed.id), 'cancelled tab');
    await h.press('5');
    await h.frame('no failed jobs', 'failed tab empty');
    await h.press(KEY.left);
    await h.frame('no retrying jobs', '← goes to the previous tab');
  });
});
