/** Jumping around a long tab: End/G for the last page, Home for the first, `:` to type a page number. */
import { afterEach, describe, expect, it } from 'vitest';
import { KEY, openHarness, type Harness } from './harness.js';
import { waitFor } from '../helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const state = () => h!.store.getState();
/** The End and Home keys as xterm sends them. */
const END = '\u001B[F';
const HOME = '\u001B[H';

describe('paging the jobs pane', () => {
  it('G and End go to the last page, Home back to the first, : to a typed page', async () => {
    h = await openHarness();
    const jobs = await h.queue.pushBulk(Array.from({ length: 45 }, (_, i) => ({ type: 'paged', payload: { i } })));
    const oldest = jobs[0]!.id;
    const newest = jobs[44]!.id;
    await h.press(KEY.enter);
    const first = await h.frame((f) => /page 1\/\d+/.test(f) && f.includes(newest), 'page 1 with the newest job');
    const pages = Number(/page 1\/(\d+)/.exec(first)![1]);
    expect(pages).toBeGreaterThan(2);
    await h.press('G');
    await h.frame((f) => f.includes(`page ${pages}/${pages}`) && f.includes(oldest) && !f.includes(newest), 'the last page after G');
    await h.press(HOME);
    await h.frame((f) => f.includes(`page 1/${pages}`) && f.includes(newest), 'the first page after Home');
    await h.press(END);
    await h.frame((f) => f.includes(`page ${pages}/${pages}`) && f.includes(oldest), 'the last page after End');
    await h.press(':', '2', KEY.enter);
    await h.frame(`page 2/${pages}`, 'page 2 after :2');
    expect(state().offset).toBe(state().pageSize);
    // A page past the end goes to the last one; a word is refused, and says which pages there are.
    await h.press(':', '9', '9', KEY.enter);
    await h.frame(`page ${pages}/${pages}`, 'the last page after :99');
    await h.press(':', 'x', KEY.enter);
    await h.frame(`page must be a whole number from 1 to ${pages}`, 'the error for :x');
    expect(state().offset).toBe((pages - 1) * state().pageSize);
  });

  it('the last page shows the oldest pending job when cancelled jobs left places in the lists', async () => {
    h = await openHarness();
    await h.press(KEY.enter);
    await h.frame(/page 1\/1/, 'the empty pending tab');
    const size = state().pageSize;
    const jobs = await h.queue.pushBulk(Array.from({ length: 3 * size }, (_, i) => ({ type: 'paged', payload: { i } })));
    // The newest page's worth cancelled: 2 pages of jobs, over 3 pages of places.
    for (const job of jobs.slice(2 * size)) await h.queue.cancelJob(job.id);
    await h.frame('page 1/3', 'three pages of places');
    await h.press('G');
    await h.frame((f) => f.includes('page 3/3') && f.includes(jobs[0]!.id), 'the oldest job on the last page');
    expect(state().page!.total).toBe(3 * size);
  });
  it('a queue of 200,000 jobs: the last page, a typed page and a search by id show the right jobs', async () => {
    h = await openHarness();
    const ids: string[] = [];
    for (let b = 0; b < 40; b++) {
      const jobs = await h.queue.pushBulk(Array.from({ length: 5_000 }, () => ({ type: 'bulk', priority: 0 })));
      ids.push(...jobs.map((job) => job.id));
    }
    await h.press(KEY.enter);
    const size = state().pageSize;
    const pages = Math.ceil(200_000 / size);
    await h.frame((f) => f.includes(`page 1/${pages}`) && f.includes(ids[199_999]!), 'page 1 with the newest job');
    await h.press('G');
    await h.frame((f) => f.includes(`page ${pages}/${pages}`) && f.includes(ids[0]!), 'the last page with the oldest job');
    // Page 5,000 starts at offset 4,999 × size, newest first.
    await h.press(':', ...'5000'.split(''), KEY.enter);
    await h.frame((f) => f.includes(`page 5000/${pages}`) && f.includes(ids[199_999 - 4_999 * size]!), 'page 5,000');
    const deep = ids[123_456]!;
    await h.press('/', ...deep.split(''), KEY.enter);
    await h.frame(`Job ${deep}`, 'the job found by its id');
  }, 120_000);
});
