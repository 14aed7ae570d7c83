import { describe, expect, it } from 'vitest';
import type { ScheduleStore } from '../../../src/engine/schedule-store.js';
import type { Harness } from './harness.js';
import { DEFINITION, runJob, useScheduleStore } from './schedule-harness.js';

describe('removeSchedule.lua', () => {
  let h: Harness;
  let s: ScheduleStore;
  useScheduleStore('removeSchedule', (rig) => ({ h, s } = rig));

  it('removes definition, next run and state, keeps the jobs it added, and says whether it was there', async () => {
    await s.save('nightly', DEFINITION, 1_000);
    await s.fire('nightly', null, null, DEFINITION, runJob('j1'));
    expect(await s.remove('nightly')).toBe(true);
    expect(await h.raw.exists(h.keys.schedules, h.keys.scheduleNext, h.keys.scheduleRuns)).toBe(0);
    expect(await h.jobCount('j1')).toBe(1);
    expect(await s.remove('nightly')).toBe(false);
  });
});
