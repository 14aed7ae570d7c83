import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { claimedJob, scriptHarness, type Harness } from './harness.js';

describe('updateProgress.lua', () => {
  let h: Harness;
  beforeEach(async () => (h = await scriptHarness('updateProgress')));
  afterEach(() => h.close());

  it('stores the progress of a job whose lease the caller holds and emits it', async () => {
    const token = await claimedJob(h, 'a');
    expect(await h.store.progress({ id: 'a', token }, '{"pct":40}')).toBe(true);
    expect(await h.fields('a')).toMatchObject({ g: '{"pct":40}', s: 'processing' });
    expect((await h.events()).at(-1)).toEqual({ ev: 'progress', ids: 'a', x: '{"pct":40}' });
  });

  it('keeps a large progress whole on the job but puts only its first 200 bytes in the event feed', async () => {
    const token = await claimedJob(h, 'a');
    const large = JSON.stringify({ log: 'x'.repeat(100_000) });
    await h.store.progress({ id: 'a', token }, large);
    expect((await h.fields('a')).g).toBe(large);
    expect((await h.events()).at(-1)!.x).toBe(large.slice(0, 200));
  });

  it('ignores progress under a stale token', async () => {
    const token = await claimedJob(h, 'a');
    const events = await h.raw.xlen(h.keys.events);
    expect(await h.store.progress({ id: 'a', token: `${token}9` }, '50')).toBe(false);
    expect(await h.fields('a')).not.toHaveProperty('g');
    expect(await h.raw.xlen(h.keys.events)).toBe(events);
  });

  it('ignores progress of a job that is no longer running, and of an unknown job', async () => {
    const token = await claimedJob(h, 'a');
    await h.store.finish([{ id: 'a', token, kind: 'completed', value: '', retryDelay: 0 }]);
    expect(await h.store.progress({ id: 'a', token }, '99')).toBe(false);
    expect(await h.fields('a')).not.toHaveProperty('g');
    expect(await h.store.progress({ id: 'nope', token }, '99')).toBe(false);
    expect(await h.jobCount('nope')).toBe(0);
  });
});
