/** What each condition reads from a real queue and how it words it, at a given time. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RedisQueue } from '../../src/index.js';
import { evaluate, readingsOf } from '../../src/alerts/conditions.js';
import type { AlertRule } from '../../src/config/config-types.js';
import { freshQueue } from '../helpers.js';

let queue: RedisQueue;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ queue, cleanup } = await freshQueue('work')));
afterEach(() => cleanup());

const rule = (condition: AlertRule['condition']): AlertRule => ({ name: 'r', queue: 'work', condition, coolDown: 60_000, webhook: 'https://x.example' });

describe('oldestWaiting', () => {
  const stuck = rule({ kind: 'oldestWaiting', age: 60_000 });

  it('holds once the longest-waiting ready job has waited longer than the age', async () => {
    await queue.push({ type: 't' });
    const now = Date.now();
    expect(await evaluate(stuck, readingsOf(queue), now)).toMatchObject({ holds: false, detail: 'the oldest waiting job has waited 0s (alert above 60s)' });
    const later = await evaluate(stuck, readingsOf(queue), now + 125_000);
    expect(later.holds).toBe(true);
    expect(later.detail).toMatch(/^the oldest waiting job has waited 2m \(alert above 60s\)$/);
  });

  it('never holds with no job waiting', async () => {
    expect(await evaluate(stuck, readingsOf(queue), Date.now() + 3_600_000)).toEqual({ holds: false, value: 0, detail: 'no job waiting (alert above 60s)' });
  });
});

describe('backlogAbove', () => {
  it('holds above the number of ready jobs, not at it', async () => {
    const backlog = rule({ kind: 'backlogAbove', jobs: 2 });
    await queue.pushBulk([{ type: 't' }, { type: 't' }]);
    expect((await evaluate(backlog, readingsOf(queue), Date.now())).holds).toBe(false);
    await queue.push({ type: 't' });
    expect(await evaluate(backlog, readingsOf(queue), Date.now())).toEqual({ holds: true, value: 3, detail: '3 jobs waiting (alert above 2)' });
  });
});

describe('failureRate', () => {
  it('does not hold below minJobs finished jobs, whatever the rate', async () => {
    const failures = rule({ kind: 'failureRate', rate: 0.2, window: 300_000, minJobs: 10 });
    expect(await evaluate(failures, readingsOf(queue), Date.now())).toEqual({
      holds: false, value: 0, detail: '0% of jobs failed over 5m (0 of 0; alert at 20% of at least 10)',
    });
  });
});
