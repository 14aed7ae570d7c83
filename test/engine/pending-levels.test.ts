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
});
