/** Marking jobs (space, A) and acting on the marked ones (C, R, D) on a real engine, and the queue view's totals. */
import { afterEach, describe, expect, it } from 'vitest';
import type { BulkProgress } from '../../src/tui/marks.js';
import { KEY, openHarness, type Harness } from './harness.js';
import { waitFor } from '../helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('marking and bulk actions', () => {
  it('space marks jobs one by one; C asks naming how many, and cancels exactly those', async () => {
    h = await openHarness();
    const [a, b, c] = await h.queue.pushBulk([{ type: 't' }, { type: 't' }, { type: 't' }]);
    await h.press('1');
    await h.frame((f) => [a, b, c].every((job) => f.includes(job!.id)), 'three pending jobs');
    const listed = h.store.getState().page!.jobs.map((job) => job.id);
    await h.press(' ', KEY.down, ' ');
    await h.frame('2 marked', 'two marked');
    expect(h.lastFrame()).toContain(`* ${listed[0]}`);
    await h.press(KEY.down, ' ', ' '); // marked and unmarked again
    await h.press('C');
    await h.frame('Cancel 2 marked pending jobs of queue default? y/n', 'the confirmation with the count');
    await h.press('y');
    await h.frame('cancelling pending jobs of default: 2 done', 'the summary');
    const statuses = await Promise.all(listed.map((id) => h!.queue.getJobStatus(id)));
    expect(statuses).toEqual(['cancelled', 'cancelled', 'pending']);
    expect(h.store.getState().marks).toBeNull();
  });

  it('A marks the whole tab; R retries every job of it through the engine, with progress on the way', async () => {
    h = await openHarness();
    const jobs = await h.queue.pushBulk(Array.from({ length: 450 }, () => ({ type: 't' })));
    for (const job of jobs) await h.queue.cancelJob(job.id);
    const seen: BulkProgress[] = [];
    h.store.subscribe((state, previous) => {
      if (state.bulk && state.bulk !== previous.bulk) seen.push(state.bulk);
    });
    await h.press('7');
    await h.frame(/7:canc\w* 450/, 'the cancelled tab');
    await h.press('A');
    await h.frame('all 450 marked', 'the whole tab marked');
    await h.press('R');
    await h.frame('Retry every cancelled job (450 now) of queue default? y/n', 'the confirmation');
    await h.press('y');
    await h.frame('retrying cancelled jobs of default: 450 done', 'the summary');
    expect((await h.queue.getStats()).pendingJobs).toBe(450);
    // Chunks of 200: the progress line moved through the batch before it ended.
    expect(seen.map((p) => p.done)).toEqual(expect.arrayContaining([200, 400, 450]));
    expect(h.store.getState().bulk).toBeNull();
  });

  it('A marks the whole pending tab; C cancels every job of it in chunks through the engine', async () => {
    h = await openHarness();
    await h.queue.pushBulk(Array.from({ length: 450 }, (_, i) => ({ type: 't', priority: i % 3 })));
    const seen: BulkProgress[] = [];
    h.store.subscribe((state, previous) => {
      if (state.bulk && state.bulk !== previous.bulk) seen.push(state.bulk);
    });
    await h.press('1');
    await h.frame(/1:pend\w* 450/, 'the pending tab');
    await h.press('A');
    await h.frame('all 450 marked', 'the whole tab marked');
    await h.press('C');
    await h.frame('Cancel every pending job (450 now) of queue default? y/n', 'the confirmation');
    await h.press('y');
    await h.frame('cancelling pending jobs of default: 450 done', 'the summary');
    expect(await h.queue.getStats()).toMatchObject({ pendingJobs: 0, cancelledJobs: 450 });
    // Chunks of at most 200 entries looked at: the progress line moved on before the end.
    expect(seen.map((p) => p.done).filter((done) => done > 0 && done < 450).length).toBeGreaterThanOrEqual(2);
  });

  it('A with a search marks the matches only; D deletes them; n leaves everything', async () => {
    h = await openHarness();
    const jobs = await h.queue.pushBulk([{ type: 'alpha' }, { type: 'beta' }, { type: 'alpha' }]);
    for (const job of jobs) await h.queue.cancelJob(job.id);
    await h.press('7');
    await h.frame(/7:canc\w* 3/, 'the cancelled tab');
    await h.press('/', ...'alpha'.split(''), KEY.enter);
    await h.frame('2 match(es) for "alpha"', 'the search');
    await h.press('A');
    await h.frame('2 marked', 'the matches marked');
    await h.press('D');
    await h.frame('Delete 2 marked cancelled jobs of queue default? y/n', 'the confirmation');
    await h.press('n');
    expect((await h.queue.getStats()).cancelledJobs).toBe(3);
    await h.press('D', 'y');
    await h.frame('deleting cancelled jobs of default: 2 done', 'the summary');
    expect(await Promise.all(jobs.map((job) => h!.queue.getJobStatus(job.id)))).toEqual([null, 'cancelled', null]);
  });

  it('refuses an action that does not fit the tab, and one with nothing marked', async () => {
    h = await openHarness();
    await h.queue.push({ type: 't' });
    await h.press('1');
    await h.frame(/1:pend\w* 1/, 'the pending tab');
    await h.press('R');
    await h.frame('no job marked', 'nothing marked');
    await h.press('A', 'R');
    await h.frame('retry applies to failed, cancelled jobs, not pending', 'the refusal');
    expect((await h.queue.getStats()).pendingJobs).toBe(1);
  });

  it('read-only mode has no marking or bulk keys', async () => {
    h = await openHarness({ readOnly: true });
    await h.queue.push({ type: 't' });
    await h.press('1', ' ', 'A', 'C');
    await h.frame(/1:pend\w* 1/, 'the pending tab');
    expect(h.store.getState().marks).toBeNull();
    expect(h.lastFrame()).not.toContain('y/n');
  });
});

describe('queue detail', () => {
  it('i shows the totals and the last hour and day of completed and failed jobs', async () => {
    h = await openHarness({ handlers: { ok: () => ({ success: true }), bad: () => ({ success: false, retry: false, error: 'no' }) } });
    await h.queue.pushBulk([{ type: 'ok' }, { type: 'ok' }, { type: 'bad' }]);
    await waitFor('three jobs finished', async () => {
      const totals = await h!.queue.getTotals();
      return totals.completed + totals.failed === 3;
    });
    await h.press('i');
    await h.frame('Since first use: 2 completed, 1 failed', 'the totals');
    const frame = await h.frame((f) => f.includes('Last hour') && f.includes('Last 24 hours'), 'both charts');
    expect(frame).toMatch(/completed\s+\S+ 2, peak 2/);
    expect(frame).toMatch(/failed\s+\S+ 1, peak 1/);
    await h.press(KEY.escape);
    await h.frame('QUEUE', 'back to the queues');
  });
});
