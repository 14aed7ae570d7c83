import { beforeEach, describe, expect, it } from 'vitest';
import type { ScheduleStore } from '../../../src/engine/schedule-store.js';
import type { Harness } from './harness.js';
import { DEFINITION, useScheduleStore } from './schedule-harness.js';

describe('setSchedulePaused.lua', () => {
  let h: Harness;
  let s: ScheduleStore;
  useScheduleStore('setSchedulePaused', (rig) => ({ h, s } = rig));
  beforeEach(async () => {
    await s.save('nightly', DEFINITION, 1_000);
  });

  it('pauses once (no next run while paused) and resumes from the run given', async () => {
    expect(await s.setPaused('nightly', true, 0)).toBe(true);
    expect(await h.raw.zscore(h.keys.scheduleNext, 'nightly')).toBeNull();
    expect(await s.setPaused('nightly', true, 0)).toBe(false);
    expect(await s.setPaused('nightly', false, 7_000)).toBe(true);
    expect(await h.raw.zscore(h.keys.scheduleNext, 'nightly')).toBe('7000');
    expect(await s.setPaused('nightly', false, 9_000)).toBe(false);
    expect(await h.raw.zscore(h.keys.scheduleNext, 'nightly')).toBe('7000');
  });

  it('says when there is no such schedule, and writes nothing for it', async () => {
    expect(await s.setPaused('missing', true, 0)).toBeNull();
    expect(await h.raw.hexists(h.keys.scheduleRuns, 'missing')).toBe(0);
  });
});
