/** The scripts that finish jobs release the unique keys their jobs hold (lua/includes/unique.lua). */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimedJob, newJob, redisClockPast, scriptHarness, type Harness } from './harness.js';

describe('unique keys released by the finishing scripts', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('uniqueRelease')));
  afterEach(() => h.close());
  const holder = (key: string) => h.raw.get(`${h.keys.base}unique:${key}`);
  const held = () => h.raw.hgetall(`${h.keys.base}uniqueHeld`);

  it('finishJobs: completed and failed for good release, retrying keeps', async () => {
    await h.store.addJobs([newJob('a', { uniqueKey: 'ka' }), newJob('b', { uniqueKey: 'kb' }), newJob('c', { uniqueKey: 'kc' })]);
    const jobs = (await h.store.claim(3, 30_000)).jobs;
    const token = (id: string) => jobs.find((job) => job.id === id)!.token;
    await h.store.finish([
      { id: 'a', token: token('a'), kind: 'completed', value: '', retryDelay: 0 },
      { id: 'b', token: token('b'), kind: 'failed', value: 'no', retryDelay: 0 },
      { id: 'c', token: token('c'), kind: 'retrying', value: 'again', retryDelay: 60_000 },
    ]);
    expect([await holder('ka'), await holder('kb'), await holder('kc')]).toEqual([null, null, 'c']);
    expect(await held()).toEqual({ c: 'kc' });
  });

  it('cancelJob releases; a key another job took meanwhile stays with that job', async () => {
    await h.store.addJobs([newJob('a', { uniqueKey: 'k' })]);
    await h.raw.set(`${h.keys.base}unique:k`, 'other');
    await h.store.cancel('a');
    expect(await holder('k')).toBe('other');
    expect(await held()).toEqual({});
    await h.store.addJobs([newJob('b', { uniqueKey: 'j' })]);
    await h.store.cancel('b');
    expect(await holder('j')).toBeNull();
  });

  it('a job whose worker was lost on its last attempt releases its key when a claim recovers it', async () => {
    await claimedJob(h, 'a', { uniqueKey: 'k', maxAttempts: 1 }, 50);
    const deadline = (await h.redisNow()) + 50;
    await redisClockPast(h, deadline);
    await h.store.claim(1, 30_000);
    expect(await h.fields('a')).toMatchObject({ s: 'failed' });
    expect(await holder('k')).toBeNull();
  });

  it('a key held for uniqueFor is not released by finishing', async () => {
    const token = await claimedJob(h, 'a', { uniqueKey: 'k', uniqueFor: 60_000 });
    await h.store.finish([{ id: 'a', token, kind: 'completed', value: '', retryDelay: 0 }]);
    expect(await holder('k')).toBe('a');
  });
});
