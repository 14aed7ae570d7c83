/**
 * A queue's schedules: define, list, pause, resume, run now, and fire the ticks that are due.
 * Firing is safe from any number of processes at once: each tick is claimed in Redis together with
 * the job it adds (fireSchedule.lua), so it adds exactly one job, and no process leads.
 */
import { jobRecordTail } from './codec.js';
import { ScheduleNotFoundError, ValidationError } from './errors.js';
import { ScheduleStore, type FireReply, type StoredSchedule } from './schedule-store.js';
import {
  checkScheduleName, definitionJson, nextRunAfter, parseDefinition, scheduleDefinition, scheduledJob,
  type ScheduleDefinition, type ScheduleInfo, type ScheduleSource, type ScheduleTiming, type ScheduledJob,
} from './schedule-spec.js';

/** Due schedules fired per read; more due at once are read again at once. */
const DUE_BATCH = 100;

/** The schedules of one queue. */
export class QueueSchedules {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly store: ScheduleStore,
    private readonly queueName: string,
    /** A new id for a run's job, naming the shard the schedules live on (shard 0). */
    private readonly newJobId: () => string,
    private readonly maxRetries: number,
    private readonly maxPayloadBytes: number,
  ) {}

  /** Calls `listener` when this process changes a schedule, so its runners re-aim their timers. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  /** Adds or replaces a schedule; false when it was stored exactly so already (its runs are kept). */
  async save(name: string, timing: ScheduleTiming, job: ScheduledJob, source: ScheduleSource): Promise<boolean> {
    const definition = scheduleDefinition('schedule', name, timing, job, source, this.maxPayloadBytes);
    const { now } = await this.store.due(1);
    const saved = await this.store.save(definition.name, definitionJson(definition), nextRunAfter(definition, now));
    if (saved) this.changed();
    return saved;
  }

  /** Every schedule, by name. */
  async list(): Promise<ScheduleInfo[]> {
    const { now, schedules } = await this.store.all();
    return schedules.flatMap((stored) => {
      const info = this.info(stored, now);
      return info ? [info] : [];
    });
  }

  private info({ definitionJson: json, state, nextRunAt }: StoredSchedule, now: number): ScheduleInfo | null {
    const definition = parseDefinition(json);
    if (!definition) return null;
    const { name, cron, every, tz, job, source } = definition;
    const info: ScheduleInfo = {
      name, job, source, paused: state.paused === true,
      nextRunAt: new Date(nextRunAt ?? nextRunAfter(definition, now)),
    };
    if (cron !== undefined) info.cron = cron;
    if (every !== undefined) info.every = every;
    if (tz !== undefined) info.tz = tz;
    if (state.lastRunAt !== undefined) info.lastRunAt = new Date(state.lastRunAt);
    if (state.lastJobId !== undefined) info.lastJobId = state.lastJobId;
    return info;
  }

  /** Removes a schedule; false when there was none of that name. */
  async remove(name: string): Promise<boolean> {
    return this.store.remove(checkScheduleName('removeSchedule', name));
  }

  private async definitionOf(operation: string, name: string): Promise<{ definition: ScheduleDefinition; json: string; now: number }> {
    checkScheduleName(operation, name);
    const { now, schedules } = await this.store.all();
    const stored = schedules.find((schedule) => schedule.name === name);
    const definition = stored && parseDefinition(stored.definitionJson);
    if (!stored || !definition) throw new ScheduleNotFoundError(operation, name, this.queueName);
    return { definition, json: stored.definitionJson, now };
  }

  /** Pauses (true) or resumes a schedule; a resumed one runs next at its first tick from now. Returns whether it changed. */
  async setPaused(name: string, paused: boolean): Promise<boolean> {
    const operation = paused ? 'pauseSchedule' : 'resumeSchedule';
    const { definition, now } = await this.definitionOf(operation, name);
    const changed = await this.store.setPaused(name, paused, nextRunAfter(definition, now));
    if (changed === null) throw new ScheduleNotFoundError(operation, name, this.queueName);
    if (changed) this.changed();
    return changed;
  }

  /** Adds the schedule's job now, off its ticks (paused or not); returns the job's id. */
  async trigger(name: string): Promise<string> {
    const { definition, json } = await this.definitionOf('triggerSchedule', name);
    const reply = await this.fire(definition, json, null, null);
    if (!reply.fired) throw new ScheduleNotFoundError('triggerSchedule', name, this.queueName);
    return reply.jobId;
  }

  private async fire(definition: ScheduleDefinition, json: string, tick: number | null, nextRunAt: number | null): Promise<FireReply & { jobId: string }> {
    for (;;) {
      const job = scheduledJob(this.newJobId(), definition, this.maxRetries, this.maxPayloadBytes);
      const reply = await this.store.fire(definition.name, tick, nextRunAt, json, { id: job.id, recordTail: jobRecordTail(job), priority: job.priority });
      // A rare collision with a stored job's id: nothing was stored, so the tick is tried again.
      if (reply.fired || reply.reason !== 'ID_EXISTS') return { ...reply, jobId: job.id };
    }
  }

  /**
   * Fires every due tick (one job per schedule, however many of its ticks were missed) and returns
   * the ms until the next one is due, or -1 when no schedule is waiting.
   */
  async fireDue(): Promise<number> {
    const { now, nextIn, due } = await this.store.due(DUE_BATCH);
    let soonest = nextIn;
    const sooner = (ms: number) => (soonest = soonest < 0 ? ms : Math.min(soonest, ms));
    for (const { tick, definitionJson: json } of due) {
      const definition = parseDefinition(json);
      // Written by a newer flexq: left to the processes that can read it.
      if (!definition) continue;
      let nextRunAt: number;
      let reply: FireReply;
      try {
        nextRunAt = nextRunAfter(definition, now, tick);
        reply = await this.fire(definition, json, tick, nextRunAt);
      } catch (error) {
        // A value this flexq refuses (a newer one's wider range, say): left as above, and never
        // in the way of the schedules due after it.
        if (error instanceof ValidationError) continue;
        throw error;
      }
      sooner(!reply.fired && reply.reason === 'EARLY' ? reply.inMs : Math.max(0, nextRunAt - now));
    }
    return due.length === DUE_BATCH ? 0 : soonest;
  }
}
