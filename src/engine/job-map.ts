/**
 * Typed jobs: one map from job type to payload type, e.g. `{ email: EmailPayload; report: ReportPayload }`,
 * given once to `RedisQueue.connect<JobMap>` and carried by the dispatcher and worker made from that
 * queue. Types only: at run time every queue is the same, and a queue without a map takes any type
 * name and any JSON object payload, as before.
 */
import type { ScheduledJob } from './schedule-spec.js';
import type { Handler, HandlerFunction, Job, JobOptions, NewJob } from './types.js';

/** A job map: each job type's payload is an object type (an interface or a type alias). */
export type JobMap<M> = { [K in keyof M]: object };

/** The map of a queue given none: any job type, a JSON object payload. */
export type UntypedJobs = Record<string, Record<string, unknown>>;

/** The job types of a map, as the names that dispatch and registerHandler take. */
export type JobType<M> = keyof M & string;

/** Whether `M` is the map of a queue given none (then everything is typed as it always was). */
type Untyped<M> = string extends keyof M ? true : false;

/** A stored job of type `K` of map `M`. */
export type TypedJob<M, K extends JobType<M>> = Untyped<M> extends true ? Job : Omit<Job, 'type' | 'payload'> & { type: K; payload: M[K] };

/** A stored job of any type of map `M`: a union a `switch (job.type)` narrows. */
export type JobOf<M> = Untyped<M> extends true ? Job : { [K in JobType<M>]: TypedJob<M, K> }[JobType<M>];

/** A payload argument: optional where an empty object is a valid payload, required otherwise. */
type PayloadOf<P> = {} extends P ? { payload?: P } : { payload: P };

/** A new job of map `M` for push, pushDelayed and pushBulk. */
export type NewJobOf<M> = Untyped<M> extends true ? NewJob
  : { [K in JobType<M>]: Omit<NewJob, 'type' | 'payload'> & { type: K } & PayloadOf<M[K]> }[JobType<M>];

/** The job a schedule of map `M` adds at each run. */
export type ScheduledJobOf<M> = Untyped<M> extends true ? ScheduledJob
  : { [K in JobType<M>]: Omit<ScheduledJob, 'type' | 'payload'> & { type: K } & PayloadOf<M[K]> }[JobType<M>];

/** The payload and options arguments of `dispatch(type, …)`. */
export type DispatchArgs<P> = {} extends P ? [payload?: P, options?: JobOptions] : [payload: P, options?: JobOptions];

/** One entry of `dispatchBulk` for map `M`. */
export type BulkEntryOf<M> = { [K in JobType<M>]: { type: K; options?: JobOptions } & PayloadOf<M[K]> }[JobType<M>];

/** A handler of jobs of type `K` of map `M`, as a plain function or an object with `handle`. */
export type HandlerOf<M, K extends JobType<M>> = Handler<TypedJob<M, K>> | HandlerFunction<TypedJob<M, K>>;
