// The yardstick: a deliberately minimal but correct batched queue, to measure flexq against what
// a queue on Redis needs at least (issue 12). Jobs stored by id in one hash, one list of waiting
// ids, one Lua claim of up to C/2 jobs that moves their ids to a set of running ones (so a
// claimed job is never only in the client's memory), completions batched into the next claim
// (the job is deleted), and a wake list for idle workers. No priorities, no leases (a dead
// worker's jobs stay in the running set), no retries, no events, no retention, no delayed jobs.
// Same interface as flexq.mjs and bullmq.mjs.
import { Redis } from 'ioredis';

export const name = 'yardstick';
/** What it cannot do: the delayed scenario needs due times. */
export const scenarios = ['enqueue', 'process', 'e2e', 'latency', 'idle']; // no delayed jobs, no retention

// Enqueue: KEYS wait, wake, seq, jobs; ARGV the jobs' JSON. Ids from a counter; each job stored
// under its id in the jobs hash (what lets anyone read, count or remove a job by id), its id
// appended to the wait list.
const ADD = `
local last = redis.call('INCRBY', KEYS[3], #ARGV)
local first = last - #ARGV
for i = 1, #ARGV, 500 do
  local ids, fields = {}, {}
  for j = i, math.min(i + 499, #ARGV) do
    local id = tostring(first + j)
    ids[#ids + 1] = id
    fields[#fields + 1] = id
    fields[#fields + 1] = ARGV[j]
  end
  redis.call('HSET', KEYS[4], unpack(fields))
  redis.call('RPUSH', KEYS[1], unpack(ids))
end
if redis.call('LLEN', KEYS[2]) == 0 then redis.call('RPUSH', KEYS[2], '1') end
return last`;

// Finish and claim: KEYS wait, running, wake, jobs; ARGV[1] jobs wanted, ARGV[2..] ids finished
// (deleted: no retention). Claimed ids go to the running set until they finish; returns a flat
// id, job JSON list. A full claim that left work behind passes the wake marker on to other idle
// workers.
const FINISH_AND_CLAIM = `
if #ARGV > 1 then
  redis.call('SREM', KEYS[2], unpack(ARGV, 2))
  redis.call('HDEL', KEYS[4], unpack(ARGV, 2))
end
local wanted = tonumber(ARGV[1])
if wanted == 0 then return {} end
local ids = redis.call('LPOP', KEYS[1], wanted)
if not ids then return {} end
redis.call('SADD', KEYS[2], unpack(ids))
local jobs = redis.call('HMGET', KEYS[4], unpack(ids))
local reply = {}
for i, id in ipairs(ids) do
  reply[2 * i - 1] = id
  reply[2 * i] = jobs[i]
end
if #ids == wanted and redis.call('LLEN', KEYS[1]) > 0 and redis.call('LLEN', KEYS[3]) == 0 then
  redis.call('RPUSH', KEYS[3], '1')
end
return reply`;

export async function open({ redisUrl, prefix, queueName, concurrency }) {
  const base = `${prefix}:${queueName}:`;
  const keys = { wait: `${base}wait`, wake: `${base}wake`, seq: `${base}seq`, running: `${base}running`, jobs: `${base}jobs` };
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  client.defineCommand('yAdd', { numberOfKeys: 4, lua: ADD });
  client.defineCommand('yFinishAndClaim', { numberOfKeys: 4, lua: FINISH_AND_CLAIM });
  const batch = Math.max(1, Math.ceil(concurrency / 2));
  let worker;

  function startWorker(onJob) {
    const blocking = client.duplicate();
    const done = [];
    let running = 0;
    let inFlight = 0;
    let stopping = false;
    let idle = false;
    let scheduled = false;
    let resolveStopped;
    const stopped = new Promise((r) => (resolveStopped = r));

    const loop = () => {
      scheduled = false;
      if (stopping) {
        if (running === 0 && inFlight === 0) flushAndStop();
        return;
      }
      // Up to two claims of C/2 under way, as flexq keeps; one while the queue looks empty.
      while (!idle && inFlight < 2 && concurrency - running > 0) {
        const wanted = Math.min(batch, concurrency - running);
        running += wanted; // reserved until the reply says how many came
        inFlight++;
        client.yFinishAndClaim(keys.wait, keys.running, keys.wake, keys.jobs, wanted, ...done.splice(0)).then((claimed) => {
          inFlight--;
          const count = claimed.length / 2;
          running -= wanted - count;
          if (count < wanted) idle = true;
          for (let i = 0; i < claimed.length; i += 2) run(claimed[i], claimed[i + 1]);
          soon();
        });
      }
      if (idle && inFlight === 0) {
        idle = false;
        const leftover = done.splice(0);
        const recorded = leftover.length ? client.yFinishAndClaim(keys.wait, keys.running, keys.wake, keys.jobs, 0, ...leftover) : Promise.resolve();
        inFlight++;
        void recorded.then(() => blocking.blpop(keys.wake, 1)).then(() => {
          inFlight--;
          soon();
        }, () => { inFlight--; soon(); });
      }
    };
    const soon = () => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(loop);
    };
    const run = (id, json) => {
      onJob(JSON.parse(json).payload);
      done.push(id);
      running--;
      soon();
    };
    const flushAndStop = () => {
      const leftover = done.splice(0);
      const recorded = leftover.length ? client.yFinishAndClaim(keys.wait, keys.running, keys.wake, keys.jobs, 0, ...leftover) : Promise.resolve();
      void recorded.then(() => {
        blocking.disconnect();
        resolveStopped();
      });
    };
    soon();
    return {
      stop() {
        stopping = true;
        soon();
        return stopped;
      },
    };
  }

  return {
    name,
    async enqueueBulk(count, chunk, payloadOf = () => ({})) {
      for (let i = 0; i < count; i += chunk) {
        const jobs = [];
        for (let j = i; j < Math.min(count, i + chunk); j++) jobs.push(JSON.stringify({ type: 'noop', payload: payloadOf(j) }));
        await client.yAdd(keys.wait, keys.wake, keys.seq, keys.jobs, ...jobs);
      }
    },
    dispatch(payload) {
      return client.yAdd(keys.wait, keys.wake, keys.seq, keys.jobs, JSON.stringify({ type: 'noop', payload }));
    },
    async startWorkers(handler = () => {}) {
      worker = startWorker(handler);
    },
    async stopWorkers() {
      if (!worker) return;
      await worker.stop();
      worker = undefined;
    },
    async unfinished() {
      const [[, waiting], [, runningNow]] = await client.multi().llen(keys.wait).scard(keys.running).exec();
      return waiting + runningNow;
    },
    async close() {
      await this.stopWorkers();
      client.disconnect();
    },
  };
}
