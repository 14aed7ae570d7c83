/**
 * The Redis side of a queue's schedules: every script call and read about them. Nothing above this
 * module knows their keys or reply shapes.
 */
import type { RedisClient } from './connection.js';
import type { QueueKeys } from './keys.js';
import type { QueueStore } from './store.js';

/** A schedule's stored state besides its definition. */
export interface ScheduleState {
  lastRunAt?: number;
  lastJobId?: string;
  paused?: boolean;
}

/** A schedule as stored: definition JSON, state and next run (null while paused). */
export interface StoredSchedule {
  name: string;
  definitionJson: string;
  state: ScheduleState;
  nextRunAt: number | null;
}

/** Schedules due now, read on Redis' clock. */
export interface DueSchedules {
  now: number;
  /** Ms until the first schedule not among `due` is due; -1 when there is none. */
  nextIn: number;
  due: { name: string; tick: number; definitionJson: string }[];
}

/** The job a run of a schedule adds, as fireSchedule.lua takes it. */
export interface ScheduleRunJob {
  id: string;
  recordTail: string;
  priority: number;
}

/** What firing a tick came to. */
export type FireReply =
  | { fired: true; createdAt: number }
  | { fired: false; reason: 'TAKEN' | 'GONE' | 'ID_EXISTS' }
  | { fired: false; reason: 'EARLY'; inMs: number };

function parseState(json: string | undefined): ScheduleState {
  if (!json) return {};
  try {
    return JSON.parse(json) as ScheduleState;
  } catch {
    return {};
  }
}

/** The schedules of one queue in Redis. */
export class ScheduleStore {
  constructor(
    private readonly client: RedisClient,
    private readonly keys: QueueKeys,
    private readonly store: QueueStore,
    private readonly eventsMaxLen: number,
  ) {}

  /** Stores a schedule; false when the stored definition was this very one (nothing changed). */
  async save(name: string, definitionJson: string, firstRunAt: number): Promise<boolean> {
    return (await this.store.call('saveSchedule', [name, definitionJson, firstRunAt])) === 'OK';
  }

  /** Removes a schedule; false when there was none of that name. */
  async remove(name: string): Promise<boolean> {
    return (await this.store.call('removeSchedule', [name])) === 1;
  }

  /** Pauses or resumes (from `nextRunAt`); null when there is no such schedule, else whether it changed. */
  async setPaused(name: string, paused: boolean, nextRunAt: number): Promise<boolean | null> {
    const reply = Number(await this.store.call('setSchedulePaused', [name, paused ? '1' : '0', nextRunAt]));
    return reply < 0 ? null : reply === 1;
  }

  /** Fires a tick (`tick` null: a run now, off the ticks) with the job it adds. */
  async fire(name: string, tick: number | null, nextRunAt: number | null, definitionJson: string, job: ScheduleRunJob): Promise<FireReply> {
    const args = [this.eventsMaxLen, name, tick ?? '', nextRunAt ?? '', definitionJson, job.id, job.recordTail, job.priority];
    const [code, detail] = (await this.store.call('fireSchedule', args)) as [string, string | undefined];
    if (code === 'OK') return { fired: true, createdAt: Math.floor(Number(detail) / 1000) };
    if (code === 'EARLY') return { fired: false, reason: 'EARLY', inMs: Number(detail) };
    return { fired: false, reason: code === 'GONE' || code === 'ID_EXISTS' ? code : 'TAKEN' };
  }

  /** The schedules due now (at most `limit`) and when the next one is. */
  async due(limit: number): Promise<DueSchedules> {
    const reply = (await this.store.call('getDueSchedules', [limit])) as string[];
    const due: DueSchedules['due'] = [];
    for (let i = 2; i + 2 < reply.length; i += 3) due.push({ name: reply[i]!, tick: Number(reply[i + 1]), definitionJson: reply[i + 2]! });
    return { now: Number(reply[0]), nextIn: Number(reply[1]), due };
  }

  /** Every schedule of the queue (a handful: O(schedules)), read in one transaction, with Redis' clock. */
  async all(): Promise<{ now: number; schedules: StoredSchedule[] }> {
    const replies = await this.client.multi()
      .time()
      .hgetall(this.keys.schedules)
      .hgetall(this.keys.scheduleRuns)
      .zrange(this.keys.scheduleNext, 0, -1, 'WITHSCORES')
      .exec();
    const values = replies!.map(([err, value]) => {
      if (err) throw err;
      return value;
    }) as [[string, string], Record<string, string>, Record<string, string>, string[]];
    const [[seconds, micros], definitions, states, next] = values;
    const nextByName = new Map<string, number>();
    for (let i = 0; i + 1 < next.length; i += 2) nextByName.set(next[i]!, Number(next[i + 1]));
    const schedules = Object.entries(definitions).map(([name, definitionJson]) => ({
      name, definitionJson, state: parseState(states[name]), nextRunAt: nextByName.get(name) ?? null,
    }));
    return { now: Number(seconds) * 1000 + Math.floor(Number(micros) / 1000), schedules: schedules.sort((a, b) => a.name.localeCompare(b.name)) };
  }
}
