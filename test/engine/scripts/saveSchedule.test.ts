import { describe, expect, it } from 'vitest';
import type { ScheduleStore } from '../../../src/engine/schedule-store.js';
import type { Harness } from './harness.js';
import { DEFINITION, useScheduleStore } from './schedule-harness.js';

describe('saveSchedule.lua', () => {
  let h: Harness;
  let s: ScheduleStore;
  useScheduleStore('saveSchedule', (rig) => ({ h, s } = rig));

  it('stores a definition with its first run; the same definition again keeps the run times', async () => {
    expect(await s.save('nightly', DEFINITION, 1_000)).toBe(true);
    expect(await h.raw.hget(h.keys.schedules, 'nightly')).toBe(DEFINITION);
    expect(await s.save('nightly', DEFINITION, 5_000)).toBe(false);
    expect(await h.raw.zscore(h.keys.scheduleNext, 'nightly')).toBe('1000');
  });

  it('replaces a changed definition and its next run, and leaves a paused schedule paused', async () => {
    await s.save('nightly', DEFINITION, 1_000);
    expect(await s.save('nightly', '{"v":2}', 2_000)).toBe(true);
    expect(await h.raw.zscore(h.keys.scheduleNext, 'nightly')).toBe('2000');
    await s.setPaused('nightly', true, 0);
    expect(await s.save('nightly', '{"v":3}', 3_000)).toBe(true);
    expect(await h.raw.zscore(h.keys.scheduleNext, 'nightly')).toBeNull();
  });

  it('refuses a malformed first run before writing', async () => {
    await expect(s.save('nightly', DEFINITION, Number.NaN)).rejects.toThrow(/first run must be a number/);
    expect(await h.raw.exists(h.keys.schedules)).toBe(0);
  });
});
