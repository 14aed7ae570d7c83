/** A schedule store on the script harness, and a stored schedule to fire, for the schedule scripts' tests. */
import { jobRecordTail } from '../../../src/engine/codec.js';
import { ScheduleStore, type ScheduleRunJob } from '../../../src/engine/schedule-store.js';
import { newJob, type Harness } from './harness.js';

export function scheduleStore(h: Harness): ScheduleStore {
  return new ScheduleStore(h.client, h.keys, h.store, 10_000);
}

/** A definition JSON as the scripts see it: any string, compared as it is. */
export const DEFINITION = '{"name":"nightly","every":60000}';

/** The job of one run, in the form fireSchedule.lua takes. */
export function runJob(id: string, priority = 0): ScheduleRunJob {
  return { id, recordTail: jobRecordTail(newJob(id, { priority })), priority };
}
