import { describe, expect, it } from 'vitest';
import type { ScheduleStore } from '../../../src/engine/schedule-store.js';
import { evalReadOnly, snapshot, type Harness } from './harness.js';
import { DEFINITION, useScheduleStore } from './schedule-harness.js';

describe('getDueSchedules.lua', () => {
  let h: Harness;
  let s: ScheduleStore;
  useScheduleStore('getDueSchedules', (rig) => ({ h, s } = rig));

  it('returns the due schedules with their ticks and definitions, and when the next one is due', async () => {
    const now = await h.redisNow();
    await s.save('a', DEFINITION, now - 5_000);
    await s.save('b', '{"b":1}', now - 1_000);
    await s.save('later', '{"later":1}', now + 60_000);
    const due = await s.due(10);
    expect(due.due).toEqual([
      { name: 'a', tick: now - 5_000, definitionJson: DEFINITION },
      { name: 'b', tick: now - 1_000, definitionJson: '{"b":1}' },
    ]);
    expect(due.now).toBeGreaterThanOrEqual(now);
    expect(due.nextIn).toBeGreaterThan(50_000);
    expect(due.nextIn).toBeLessThanOrEqual(60_000);
  });

  it('stops at the limit, counting the next due from the first not returned; -1 when none waits', async () => {
    expect((await s.due(10)).nextIn).toBe(-1);
    const now = await h.redisNow();
    await s.save('a', DEFINITION, now - 5_000);
    await s.save('b', '{"b":1}', now - 1_000);
    const due = await s.due(1);
    expect(due.due.map((d) => d.name)).toEqual(['a']);
    expect(due.nextIn).toBe(0);
  });

  it('only reads (runs under FCALL_RO and changes no key)', async () => {
    await s.save('a', DEFINITION, 1_000);
    const before = await snapshot(h);
    await evalReadOnly(h, 'getDueSchedules', [10]);
    expect(await snapshot(h)).toEqual(before);
  });
});
