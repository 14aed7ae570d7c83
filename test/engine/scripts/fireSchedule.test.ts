import { beforeEach, describe, expect, it } from 'vitest';
import type { ScheduleStore } from '../../../src/engine/schedule-store.js';
import { newJob, type Harness } from './harness.js';
import { DEFINITION, runJob, useScheduleStore } from './schedule-harness.js';

describe('fireSchedule.lua', () => {
  let h: Harness;
  let s: ScheduleStore;
  let tick: number;
  useScheduleStore('fireSchedule', (rig) => ({ h, s } = rig));
  beforeEach(async () => {
    tick = (await h.redisNow()) - 1_000;
    await s.save('nightly', DEFINITION, tick);
  });

  it('adds one ready job per tick and moves the next run on: a second firing of the tick is refused', async () => {
    const fired = await s.fire('nightly', tick, tick + 60_000, DEFINITION, runJob('j1', 5));
    expect(await s.fire('nightly', tick, tick + 60_000, DEFINITION, runJob('j2'))).toEqual({ fired: false, reason: 'TAKEN' });
    expect(await h.fields('j1')).toMatchObject({ s: 'pending', p: '5' });
    // The job's created time, in ms, as the record holds it in µs.
    expect(fired).toEqual({ fired: true, createdAt: Math.floor(Number((await h.fields('j1')).c) / 1_000) });
    expect(await h.jobCount('j1', 'j2')).toBe(1);
    expect(await h.raw.lrange(h.ready(5), 0, -1)).toEqual(['j1']);
    expect(await h.raw.lrange(h.keys.wake, 0, -1)).toEqual(['1']);
    expect(Number(await h.raw.zscore(h.keys.scheduleNext, 'nightly'))).toBe(tick + 60_000);
    expect(JSON.parse((await h.raw.hget(h.keys.scheduleRuns, 'nightly'))!)).toMatchObject({ lastJobId: 'j1' });
    expect(await h.events()).toEqual([{ ev: 'added', ids: 'j1', x: 'schedule nightly' }]);
  });

  it('answers a resend of the same call as the first time and stores nothing more', async () => {
    const first = await s.fire('nightly', tick, tick + 60_000, DEFINITION, runJob('j1'));
    expect(await s.fire('nightly', tick, tick + 60_000, DEFINITION, runJob('j1'))).toEqual(first);
    expect(await h.raw.lrange(h.ready(0), 0, -1)).toEqual(['j1']);
    expect(await h.raw.xlen(h.keys.events)).toBe(1);
  });

  it('stores its job as addJobs stores a job ready now: the same record but the created time, the same ready list', async () => {
    await h.store.addJobs([newJob('added', { priority: 5 })]);
    await s.fire('nightly', tick, tick + 60_000, DEFINITION, runJob('fired', 5));
    const { c: _added, ...added } = await h.fields('added');
    const { c: _fired, ...fired } = await h.fields('fired');
    expect(fired).toEqual(added);
    expect(await h.raw.lrange(h.ready(5), 0, -1)).toEqual(['added', 'fired']);
  });

  it('refuses an id that is another stored job (a collision, not a resend): nothing stored, the tick still due', async () => {
    await h.store.addJobs([newJob('j1', { payloadJson: '{"other":true}' })]);
    expect(await s.fire('nightly', tick, tick + 60_000, DEFINITION, runJob('j1'))).toEqual({ fired: false, reason: 'ID_EXISTS' });
    expect(Number(await h.raw.zscore(h.keys.scheduleNext, 'nightly'))).toBe(tick);
    expect(await h.raw.hget(h.keys.scheduleRuns, 'nightly')).toBeNull();
  });

  it('refuses a tick not due yet on Redis clock, and one computed from a definition since replaced', async () => {
    const later = (await h.redisNow()) + 60_000;
    await h.raw.zadd(h.keys.scheduleNext, later, 'nightly');
    const early = await s.fire('nightly', later, later + 60_000, DEFINITION, runJob('j1'));
    expect(early).toMatchObject({ fired: false, reason: 'EARLY' });
    // How long until it is due, on Redis' clock: a minute less the time since it was read.
    const { inMs } = early as { inMs: number };
    expect(inMs).toBeGreaterThan(50_000);
    expect(inMs).toBeLessThanOrEqual(60_000);
    expect(await s.fire('nightly', later, later + 60_000, '{"other":1}', runJob('j2'))).toEqual({ fired: false, reason: 'TAKEN' });
    expect(await h.jobCount('j1', 'j2')).toBe(0);
  });

  it('runs a schedule now (no tick) without moving its next run; an unknown schedule is GONE', async () => {
    expect(await s.fire('nightly', null, null, DEFINITION, runJob('now'))).toMatchObject({ fired: true });
    expect(Number(await h.raw.zscore(h.keys.scheduleNext, 'nightly'))).toBe(tick);
    expect(await s.fire('missing', null, null, DEFINITION, runJob('x'))).toEqual({ fired: false, reason: 'GONE' });
    expect(await h.jobCount('now', 'x')).toBe(1);
  });

  it('checks its numbers before writing anything', async () => {
    await expect(s.fire('nightly', tick, Number.NaN, DEFINITION, runJob('j1'))).rejects.toThrow(/next run must be a number/);
    await expect(s.fire('nightly', tick, tick + 1, DEFINITION, { ...runJob('j1'), priority: 1.5 })).rejects.toThrow(/priority must be an integer/);
    expect(await h.jobCount('j1')).toBe(0);
  });
});
