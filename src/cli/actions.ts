import { ConnectionError, InvalidJobStateError, isRedisUnreachable, unreachableReason } from '../engine/errors.js';
import type { ListableStatus, RedisQueue } from '../engine/queue.js';
import { JOB_STATUSES, type Job, type WorkerInfo } from '../engine/types.js';
import { jobStateMessage } from './cli-errors.js';
import type { GlobalOptions, JobReference, QueueStateCommand, RunCommand } from './cli-commands.js';
import { configOptions, loadConfig } from '../config/config.js';
import type { HostConfig } from '../config/config-types.js';
import { runDemo } from './demo.js';
import { drainQueue } from './drain.js';
import type { BulkProgress } from '../engine/operations.js';
import { presentJob, presentSchedule } from '../shared/present.js';
import { shownText } from './format.js';
import { shownStatus } from '../shared/shown-status.js';
import { connectQueues, type QueueSet } from '../host/queue-set.js';
import { redisForCommand, type RedisTarget } from '../config/redis-target.js';
import type { CliActions, CliIo, QueueCount } from './run-cli.js';

/** Progress of a long bulk command on a terminal's stderr (a line rewritten in place); nothing elsewhere. */
function progressTo(io: CliIo, what: string): (progress: BulkProgress) => void {
  if (io.stderr.isTTY !== true) return () => undefined;
  return ({ done, examined, total }) => {
    if (total > 0 && examined < total) io.stderr.write(`\r${what}: ${done} done, ${examined} of ${total} looked at\u001b[K`);
    else io.stderr.write('\r\u001b[K');
  };
}

/** The queue a command names, or every queue of the set when it names none. */
function chosenQueues(set: QueueSet, name: string | undefined): RedisQueue[] {
  return name === undefined ? set.queues : [set.get(name)];
}

/** Hosts the worker pool for `flexq` / `flexq --headless`; resolves to the exit code. */
export type RunHost = (command: RunCommand, io: CliIo) => Promise<number>;

/** A configured queue set for one command, with what it was made from. */
interface CommandContext {
  config: HostConfig;
  target: RedisTarget;
  set: QueueSet;
}

/** Where a Redis can be named, as a note or an error tells the user. */
const REDIS_SETTINGS = '[redis] in flexq.toml, FLEXQ_REDIS_URL or --redis';

/** Loads the config, connects its queues, runs `work`, and always closes the connection. */
async function withQueues<T>(io: CliIo, options: GlobalOptions, work: (context: CommandContext) => Promise<T>): Promise<T> {
  const config = await loadConfig(configOptions(io, options));
  const target = await redisForCommand(config, io.env, io.cwd);
  let set: QueueSet;
  try {
    // Queues used in Redis but not named in the config are found too; without a file, only those.
    set = await connectQueues(target.settings, config.queues, config.configFile === null ? 'replace' : 'add');
  } catch (error) {
    if (error instanceof ConnectionError && !config.redisConfigured) {
      throw new Error(`${error.message}\nStart \`flexq\` (it runs its own Redis when none answers) or set FLEXQ_REDIS_URL.`);
    }
    throw error;
  }
  // Nothing names a Redis, so this is whichever answered: say which, before anything reads or changes it.
  if (!config.redisConfigured) io.stderr.write(`flexq: note: no Redis configured (${REDIS_SETTINGS}): using the one at ${target.address}\n`);
  try {
    return await work({ config, target, set });
  } catch (error) {
    if (isRedisUnreachable(error)) throw new Error(`Redis at ${target.address} stopped answering (${unreachableReason(error as Error)}): the command may not have been carried out`, { cause: error });
    throw error;
  } finally {
    await set.close();
  }
}

/** The queue that holds the job: the named one, else the first configured queue that knows the id. */
async function queueOfJob(set: QueueSet, reference: JobReference): Promise<RedisQueue> {
  if (reference.queue !== undefined) return set.get(reference.queue);
  for (const queue of set.queues) {
    if ((await queue.getJobStatus(reference.id)) !== null) return queue;
  }
  throw noSuchJob(reference.id, set.queues);
}

/** No queue searched has the job: the message names every queue that was searched. */
function noSuchJob(id: string, searched: readonly RedisQueue[]): Error {
  return new Error(`no job with id '${id}' in queue${searched.length > 1 ? 's' : ''} ${searched.map((q) => q.name).join(', ')}`);
}

/** A refusal for a stored `pending` job not yet due, re-worded to say `delayed`, as `flexq show` does. */
async function inShownStatus(error: unknown, queue: RedisQueue): Promise<unknown> {
  if (!(error instanceof InvalidJobStateError) || error.status !== 'pending') return error;
  const job = await queue.getJob(error.jobId);
  if (job === null || shownStatus(job, Date.now()) !== 'delayed') return error;
  return new Error(jobStateMessage(error, 'delayed'), { cause: error });
}

/** Newest first by the time each job entered its status, across statuses and queues. */
function newestFirst(jobs: Job[], limit: number): Job[] {
  return jobs.sort((a, b) => b.enteredAt.getTime() - a.enteredAt.getTime()).slice(0, limit);
}

/** Soonest first by the time each job is due. */
function soonestDue(jobs: Job[], limit: number): Job[] {
  return jobs.sort((a, b) => (a.runAt?.getTime() ?? 0) - (b.runAt?.getTime() ?? 0)).slice(0, limit);
}

/**
 * Why a job just dispatched may not run, or undefined when a live worker of its queue has a
 * handler for its type. The job is stored either way; a typo in TYPE is the usual cause. A worker
 * with no handler at all claims nothing; one with other handlers fails the job for good when it
 * claims it, unless a live worker has the handler then (src/engine/attempt-runner.ts, `unhandled`).
 */
export function unhandledTypeWarning(queue: string, type: string, workers: readonly WorkerInfo[]): string | undefined {
  const claiming = workers.filter((worker) => worker.healthy && worker.types.length > 0);
  if (claiming.some((worker) => worker.types.includes(type))) return undefined;
  if (claiming.length === 0) return `no live worker serves queue '${queue}'; the job waits until a host with a handler for '${type}' runs`;
  const known = [...new Set(claiming.flatMap((worker) => worker.types))].sort();
  return `no live worker of queue '${queue}' has a handler for job type '${type}' (they handle: ${known.join(', ')}); `
    + `the first to claim it fails it for good ("no handler registered"), unless a worker with that handler is live by then`;
}

/** Pauses or resumes the command's queue everywhere; resolves to whether it was in the other state. */
function setPaused(io: CliIo, command: QueueStateCommand, paused: boolean): Promise<boolean> {
  return withQueues(io, command, async ({ set }) => {
    const queue = set.get(command.queue);
    const changes = (await queue.isPaused()) !== paused;
    await (paused ? queue.pause() : queue.resume());
    return changes;
  });
}

/** The CLI's actions against the engine; `runHost` serves the commands that host workers. */
export function createCliActions(io: CliIo, runHost: RunHost): CliActions {
  return {
    run: (command) => runHost(command, io),

    dispatch: (command, readPayload) =>
      withQueues(io, command, async ({ set }) => {
        const queue = set.get(command.queue);
        // Read once the queue is known: stdin or a file is read no further than its largest payload.
        const payload = await readPayload(queue.maxPayloadBytes);
        const { timeout } = set.settings(queue.name);
        // The queue's job timeout applies to jobs that do not bring their own.
        // An option left out is undefined, which the engine takes as not given.
        const { type, priority, delay, maxAttempts, group, uniqueKey, uniqueFor } = command;
        const outcome = await queue.pushWithOutcome({ type, payload, priority, maxAttempts, group, uniqueKey, uniqueFor, timeout }, delay);
        // A held unique key stored nothing (runCli says so): no new job waits for a worker.
        if (!outcome.stored) return outcome;
        const warning = unhandledTypeWarning(queue.name, command.type, await queue.getWorkers());
        if (warning !== undefined) io.stderr.write(`flexq: warning: ${shownText(warning)}\n`);
        return outcome;
      }),

    stats: (command) =>
      withQueues(io, command, async ({ set }) => {
        const queues = chosenQueues(set, command.queue);
        // One read per queue gives the counts and the paused state together.
        return Promise.all(queues.map(async (queue) => {
          const [{ stats, paused, shards, rateLimit, rateLimited, groupConcurrency }, totals] = await Promise.all([queue.getOverview(), queue.getTotals()]);
          const topology = queue.getTopology();
          return {
            queue: queue.name, stats, paused, totals, ...(topology.kind === 'standalone' ? {} : { topology }),
            ...(shards === undefined ? {} : { shards }), ...(rateLimit === null ? {} : { rateLimit, rateLimited }),
            ...(groupConcurrency === null ? {} : { groupConcurrency }),
          };
        }));
      }),

    jobs: (command) =>
      withQueues(io, command, async ({ set, config }) => {
        const queues = chosenQueues(set, command.queue);
        // Every status includes `delayed`: pending lists ready jobs alone (the engine's listJobs).
        const statuses: readonly ListableStatus[] = command.status === undefined ? [...JOB_STATUSES, 'delayed'] : [command.status];
        const pages = await Promise.all(
          queues.flatMap((queue) => statuses.map((status) => queue.listJobs(status, { limit: command.limit }))),
        );
        // A job that changed status between two of these reads would be listed twice: once it is.
        const jobs = [...new Map(pages.flat().map((job) => [`${job.queue}\u0000${job.id}`, job])).values()];
        // Delayed jobs come soonest due first from the engine; across queues they are merged so.
        const listed = command.status === 'delayed' ? soonestDue(jobs, command.limit) : newestFirst(jobs, command.limit);
        return listed.map((job) => presentJob(job, config.redact));
      }),

    schedules: (command) =>
      withQueues(io, command, async ({ set, config }) => {
        const queues = chosenQueues(set, command.queue);
        const lists = await Promise.all(queues.map(async (queue) =>
          (await queue.listSchedules()).map((schedule) => ({ queue: queue.name, ...presentSchedule(schedule, config.redact) }))));
        const stored = lists.flat();
        // The file's schedules are stored by a starting host: before one has run, say why they are missing.
        const unstored = config.schedules.filter((wanted) => queues.some((queue) => queue.name === wanted.queue) &&
          !stored.some((shown) => shown.queue === wanted.queue && shown.name === wanted.name));
        if (unstored.length > 0) {
          const names = unstored.map((schedule) => `${schedule.name} (queue ${schedule.queue})`).join(', ');
          io.stderr.write(`flexq: note: flexq.toml defines ${unstored.length === 1 ? 'a schedule' : `${unstored.length} schedules`} not stored in Redis yet: ${names}; \`flexq\` or \`flexq --headless\` stores them when it starts\n`);
        }
        return stored;
      }),

    show: (command) =>
      withQueues(io, command, async ({ set, config }) => {
        const queues = chosenQueues(set, command.queue);
        for (const queue of queues) {
          const job = await queue.getJob(command.id);
          if (job !== null) return presentJob(job, config.redact);
        }
        throw noSuchJob(command.id, queues);
      }),

    cancel: (command) => withQueues(io, command, async ({ set }) => (await queueOfJob(set, command)).cancelJob(command.id)),
    retry: (command) =>
      withQueues(io, command, async ({ set }) => {
        const queue = await queueOfJob(set, command);
        await queue.retryJob(command.id).catch(async (error: unknown) => {
          throw await inShownStatus(error, queue);
        });
      }),
    setPriority: (command) =>
      withQueues(io, command, async ({ set }) => (await queueOfJob(set, command)).setPriority(command.id, command.priority)),
    retryAll: (command) =>
      withQueues(io, command, async ({ set }) => {
        const queues = chosenQueues(set, command.queue);
        const counts: QueueCount[] = [];
        for (const queue of queues) {
          const options = { ...(command.type === undefined ? {} : { type: command.type }), onProgress: progressTo(io, `retrying ${command.status} jobs of ${queue.name}`) };
          counts.push({ queue: queue.name, count: await queue.retryJobs(command.status, options) });
        }
        return counts;
      }),
    cancelAll: (command) =>
      withQueues(io, command, async ({ set }) => {
        const counts: QueueCount[] = [];
        for (const queue of chosenQueues(set, command.queue)) {
          counts.push({ queue: queue.name, count: await queue.cancelJobs(command.status, { onProgress: progressTo(io, `cancelling ${command.status} jobs of ${queue.name}`) }) });
        }
        return counts;
      }),
    clean: (command) =>
      withQueues(io, command, async ({ set }) => {
        const queues = chosenQueues(set, command.queue);
        const counts: QueueCount[] = [];
        // `--limit` counts over every queue cleaned, not per queue.
        let left = command.limit;
        for (const queue of queues) {
          if (left === 0) {
            counts.push({ queue: queue.name, count: 0 });
            continue;
          }
          const options = {
            ...(command.olderThan === undefined ? {} : { olderThan: command.olderThan }),
            ...(left === undefined ? {} : { limit: left }),
            onProgress: progressTo(io, `removing ${command.status} jobs of ${queue.name}`),
          };
          const count = await queue.clean(command.status, options);
          counts.push({ queue: queue.name, count });
          if (left !== undefined) left -= count;
        }
        return counts;
      }),
    drain: (command) => withQueues(io, command, ({ set }) => drainQueue(set.get(command.queue), { timeout: command.timeout, out: io.stdout })),
    pause: (command) => setPaused(io, command, true),
    resume: (command) => setPaused(io, command, false),

    demo: (command) => withQueues(io, command, ({ set, config, target }) =>
      runDemo({ queue: set.get(command.queue), command, config, out: io.stdout, err: io.stderr, address: target.address })),

    doctor: (command) => withQueues(io, command, async ({ set, target }) => ({ address: target.address, checks: await set.queues[0]!.checkRedis() })),
  };
}
