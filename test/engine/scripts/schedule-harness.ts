/** A schedule store on the script harness, and a stored schedule to fire, for the schedule scripts' tests. */
import { afterEach, beforeEach } from 'vitest';
import { jobRecordTail } from '../../../src/engine/codec.js';
import { ScheduleStore, type ScheduleRunJob } from '../../../src/engine/schedule-store.js';
import { newJob, scriptHarness, type Harness } from './harness.js';

export function scheduleStore(h: Harness): ScheduleStore {
  return new ScheduleStore(h.client, h.keys, h.store, 10_000);
}

/**
 * Gives each test of the calling `describe` a fresh harness under `label` and a schedule store on
 * it, handed to `made` before the test (and before the block's own `beforeEach`), closed after it.
 */
export function useScheduleStore(label: string, made: (rig: { h: Harness; s: ScheduleStore }) => void): void {
  let h: Harness | undefined;
  beforeEach(async () => {
    h = await scriptHarness(label);
    made({ h, s: scheduleStore(h) });
  });
  afterEach(() => h?.close());
}

/** A definition JSON as the scripts see it: any string, compared as it is. */
export const DEFINITION = '{"name":"nightly","every":60000}';

/** The job of one run, in the form fireSchedule.lua takes. */
export function runJob(id: string, priority = 0): ScheduleRunJob {
  return { id, recordTail: jobRecordTail(newJob(id, { priority })), priority };
}
