/**
 * ScheduleStore.all, the read listSchedules and the schedule operations start from: every
 * schedule by name with its definition, run state and next run, and Redis' clock.
 */
import { describe, expect, it } from 'vitest';
import type { ScheduleStore } from '../../../src/engine/schedule-store.js';
import type { Harness } from './harness.js';
import { DEFINITION, runJob, useScheduleStore } from './schedule-harness.js';

describe('ScheduleStore.all', () => {
  let h: Harness;
  let s: ScheduleStore;
  useScheduleStore('scheduleList', (rig) => ({ h, s } = rig));

  it('reads every schedule by name with its state and next run (none while paused), on Redis\' clock', async () => {
    await s.save('zeta', '{"z":1}', 5_000);
    await s.save('nightly', DEFINITION, 1_000);
    await s.save('alpha', '{"a":1}', 9_000);
    await s.setPaused('alpha', true, 0);
    const fired = await s.fire('nightly', null, null, DEFINITION, runJob('j1'));
    const before = await h.redisNow();
    const { now, schedules } = await s.all();
    const after = await h.redisNow();
    expect(schedules).toEqual([
      { name: 'alpha', definitionJson: '{"a":1}', state: { paused: true }, nextRunAt: null },
      { name: 'nightly', definitionJson: DEFINITION, state: { lastRunAt: expect.any(Number), lastJobId: 'j1' }, nextRunAt: 1_000 },
      { name: 'zeta', definitionJson: '{"z":1}', state: {}, nextRunAt: 5_000 },
    ]);
    expect(schedules[1]!.state.lastRunAt).toBe(fired.fired && fired.createdAt);
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(after);
  });

  it('reads a damaged run state as none, and none at all as no schedules', async () => {
    expect((await s.all()).schedules).toEqual([]);
    await s.save('nightly', DEFINITION, 1_000);
    await h.raw.hset(h.keys.scheduleRuns, 'nightly', '{not json');
    expect((await s.all()).schedules).toEqual([{ name: 'nightly', definitionJson: DEFINITION, state: {}, nextRunAt: 1_000 }]);
  });

  it('rejects with Redis\' error when a key of the schedules holds another type', async () => {
    await h.raw.set(h.keys.scheduleRuns, 'a string');
    await expect(s.all()).rejects.toThrow(/WRONGTYPE/);
  });
});
