/** Pending pages of a queue whose jobs sit in many priority levels (more than one read call takes): in order at any offset. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedisQueue } from '../../src/index.js';
import { freshQueue } from '../helpers.js';

let queue: RedisQueue;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ queue, cleanup } = await freshQueue('pending-levels'));
});
afterEach(() => cleanup());

describe('pending pages over many priority levels', () => {
  it('pages them newest first, ties by level highest first, at any offset', async () => {
    // 200 levels: more than one read call takes (64 lists each).
    await queue.pushBulk(Array.from({ length: 200 }, (_, i) => ({ type: 't', payload: { i }, priority: i })));
    const all = await queue.listJobs('pending', { limit: 200 });
    // One call stored them all at one time: ties go by level, highest first.
    expect(all.map((job) => job.priority)).toEqual(Array.from({ length: 200 }, (_, i) => 199 - i));
    const deep = await queue.listJobs('pending', { offset: 150, limit: 10 });
    expect(deep.map((job) => job.priority)).toEqual([49, 48, 47, 46, 45, 44, 43, 42, 41, 40]);
  });

  it('finds deep pages among thousands of levels (a priority used as a score), which one listing call cannot name', async () => {
    const LEVELS = 1_500;
    // Three calls, each at its own time, each a job at every level in a shuffled order.
    for (const call of [0, 1, 2]) {
      await queue.pushBulk(Array.from({ length: LEVELS }, (_, i) => ({ type: 't', payload: { call }, priority: (i * 7 + call * 13) % LEVELS })));
    }
    // Newest call first; within a call, level highest first.
    const expected = (offset: number, limit: number) => Array.from({ length: limit }, (_, k) => {
      const place = offset + k;
      return { call: 2 - Math.floor(place / LEVELS), priority: LEVELS - 1 - (place % LEVELS) };
    });
    for (const offset of [0, 1_495, 2_250, 3 * LEVELS - 10]) {
      const page = await queue.listJobs('pending', { offset, limit: 10 });
      expect(page.map((job) => ({ call: (job.payload as { call: number }).call, priority: job.priority }))).toEqual(expected(offset, 10));
    }
    expect((await queue.pageJobs('pending', { offset: 3 * LEVELS, limit: 10 })).total).toBe(3 * LEVELS);
  });

  it('finds deep pages when every level holds one job of its own time, levels in time order or against it', async () => {
    const LEVELS = 1_200;
    for (const [name, priorityOf] of [['along', (i: number) => i], ['against', (i: number) => LEVELS - 1 - i]] as const) {
      const q = queue.queue(`levels-${name}`);
      // One call a job: each its own time, the newest pushed last.
      for (let i = 0; i < LEVELS; i++) await q.push({ type: 't', payload: { i }, priority: priorityOf(i) });
      for (const offset of [10, 100, 600, LEVELS - 5]) {
        const page = await q.listJobs('pending', { offset, limit: 5 });
        expect([name, offset, page.map((job) => (job.payload as { i: number }).i)]).toEqual([name, offset, [0, 1, 2, 3, 4].map((k) => LEVELS - 1 - offset - k)]);
      }
    }
  });
});
