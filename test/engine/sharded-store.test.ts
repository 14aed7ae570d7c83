/**
 * The claim rounds of a worker on a queue of 3 shards (src/engine/sharded-store.ts), called as the
 * worker calls them: a round asks its shards in turn from a start that moves on from round to
 * round, takes no more than it wants, merges the shards' due times and rate-limit holds, and
 * records each outcome with the claim that reaches its shard (or on its own soon after).
 */
import { expect, test } from 'vitest';
import type { ClaimReply, Outcome } from '../../src/engine/worker-wire.js';
import { LEASE_MS, requestFrom, shardOf, useShardedRig } from './sharded-rig.js';

const rig = useShardedRig();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const idsOf = (reply: ClaimReply) => reply.jobs.map((job) => job.id);
const completed = (job: { id: string; token: string }): Outcome => ({ id: job.id, token: job.token, kind: 'completed', value: '', retryDelay: 0 });

test('a round takes what it can from its start shard and asks the next shards only for the rest', async () => {
  const on = [await rig.pushTo(0, 2), await rig.pushTo(1, 2), await rig.pushTo(2, 2)];
  const askedShard2 = rig.count(2, 'claimJobs');
  expect(idsOf(await rig.store.claim(3, LEASE_MS, requestFrom(0)))).toEqual([...on[0]!, on[1]![0]]);
  expect(askedShard2(), 'a round that has its jobs asks no further shard').toBe(0);
  expect(idsOf(await rig.store.claim(5, LEASE_MS, requestFrom(1)))).toEqual([on[1]![1], ...on[2]!]);
  expect(idsOf(await rig.store.claim(5, LEASE_MS, requestFrom(2)))).toEqual([]);
});

test('rounds without a request start one shard further on each time, so no shard is always served first', async () => {
  for (const shard of [0, 1, 2]) await rig.pushTo(shard, 2);
  const shards: number[] = [];
  for (let round = 0; round < 6; round++) shards.push(...idsOf(await rig.store.claim(1, LEASE_MS)).map(shardOf));
  expect(shards).toEqual([0, 1, 2, 0, 1, 2]);
});

test('a round sent again with its request starts on the same shard and gets the same jobs back', async () => {
  for (const shard of [0, 1, 2]) await rig.pushTo(shard, 1);
  const request = requestFrom(1);
  const first = await rig.store.claim(1, LEASE_MS, request);
  expect(first.jobs.map((job) => shardOf(job.id))).toEqual([1]);
  const again = await rig.store.claim(1, LEASE_MS, request);
  expect(again.jobs.map((job) => [job.id, job.token])).toEqual(first.jobs.map((job) => [job.id, job.token]));
  expect((await rig.queue.getStats()).processingJobs).toBe(1);
});

test("a round's due time is the soonest of its shards', and -1 when none has anything due", async () => {
  expect((await rig.store.claim(1, LEASE_MS, requestFrom(0))).nextDue).toBe(-1);
  await rig.pushTo(1, 1, 30_000);
  await rig.pushTo(2, 1, 5_000);
  // From shard 0 (nothing due there comes first) and from shard 1 (shard 0, last, has nothing due).
  for (const start of [0, 1, 2]) {
    const { jobs, nextDue } = await rig.store.claim(1, LEASE_MS, requestFrom(start));
    expect(jobs).toEqual([]);
    expect(nextDue).toBeGreaterThan(0);
    expect(nextDue).toBeLessThanOrEqual(5_000);
  }
});

test('a round for no job runs the upkeep of every shard: their due jobs become ready, none is claimed', async () => {
  const due = [...await rig.pushTo(0, 1, 1), ...await rig.pushTo(1, 1, 1), ...await rig.pushTo(2, 1, 1)];
  await sleep(50);
  const reply = await rig.store.claim(0, LEASE_MS);
  expect(reply.jobs).toEqual([]);
  for (const shard of rig.direct) expect(await rig.raw.zcard(shard.keys.delayed)).toBe(0);
  expect((await rig.queue.getStats()).pendingJobs).toBe(due.length);
  expect(idsOf(await rig.direct[1]!.claim(1, LEASE_MS))).toEqual([due[1]]);
});

test('a round is held by the rate limit only when every shard it asked is, until the first of them opens', async () => {
  await rig.queue.setRateLimit({ max: 6, per: 60_000 }); // two starts a minute per shard
  for (const shard of [0, 1, 2]) await rig.pushTo(shard, 3);
  await rig.direct[0]!.claim(2, LEASE_MS); // shard 0's window is full from now
  await sleep(1_500);
  const partly = await rig.store.claim(1, LEASE_MS, requestFrom(0));
  expect(partly.jobs.map((job) => shardOf(job.id))).toEqual([1]);
  expect(partly.heldFor, 'shard 1 may start more: not held').toBe(-1);
  const full = await rig.store.claim(9, LEASE_MS, requestFrom(1));
  expect(full.jobs.map((job) => shardOf(job.id))).toEqual([1, 2, 2]);
  // Every shard is full: shard 0's window, begun 1.5 s before the others', opens first.
  expect(full.heldFor).toBeGreaterThan(0);
  expect(full.heldFor).toBeLessThanOrEqual(58_500);
});

test("an outcome goes with the round's claim on its shard: one call, and the job is recorded", async () => {
  const [running] = await rig.pushTo(0, 1);
  const [next] = await rig.pushTo(0, 1);
  const [job] = (await rig.store.claim(1, LEASE_MS, requestFrom(0))).jobs;
  expect(job!.id).toBe(running);
  const finishes = rig.count(0, 'finishJobs');
  const claims = rig.count(0, 'finishAndClaimJobs');
  const [flags, reply] = await rig.store.finishAndClaim([completed(job!)], 1, LEASE_MS, requestFrom(0));
  expect(flags).toEqual(['held']);
  expect(idsOf(reply)).toEqual([next]);
  expect(await rig.status(running!)).toBe('completed');
  expect([claims(), finishes()]).toEqual([1, 0]);
});

test('an outcome of a shard the rounds do not reach waits for one, and is recorded on its own by a round 50 ms later', async () => {
  const [elsewhere] = await rig.pushTo(2, 1);
  const ready = await rig.pushTo(0, 2);
  const [job] = (await rig.store.claim(1, LEASE_MS, requestFrom(2))).jobs;
  expect(job!.id).toBe(elsewhere);
  const [flags, first] = await rig.store.finishAndClaim([completed(job!)], 1, LEASE_MS, requestFrom(0));
  expect(flags).toEqual(['held']);
  expect(idsOf(first)).toEqual([ready[0]]);
  expect(await rig.status(elsewhere!), 'held for a claim on shard 2').toBe('processing');
  await sleep(60);
  expect(idsOf(await rig.store.claim(1, LEASE_MS, requestFrom(0)))).toEqual([ready[1]]);
  expect(await rig.status(elsewhere!)).toBe('completed');
  // Recorded once: later rounds have nothing more to send there.
  const sentLater = rig.count(2, 'finishJobs');
  await sleep(60);
  await rig.store.claim(1, LEASE_MS, requestFrom(0));
  expect(sentLater()).toBe(0);
});

test('finish records its outcomes and every one held, on each shard, at once', async () => {
  for (const shard of [0, 1, 2, 2]) await rig.pushTo(shard, 1);
  const jobs = (await rig.store.claim(4, LEASE_MS, requestFrom(0))).jobs;
  expect(jobs.map((job) => shardOf(job.id))).toEqual([0, 1, 2, 2]);
  await rig.pushTo(0, 2);
  // The outcomes of shard 2's jobs are held, one round after the other, by rounds that shard 0 fills.
  for (const job of jobs.slice(2)) await rig.store.finishAndClaim([completed(job)], 1, LEASE_MS, requestFrom(0));
  expect(await rig.status(jobs[2]!.id)).toBe('processing');
  expect(await rig.store.finish(jobs.slice(0, 2).map(completed))).toEqual(['held', 'held']);
  for (const job of jobs) expect(await rig.status(job.id)).toBe('completed');
});

test("lease renewals, hand-backs, progress and a job's status reach each job on its shard", async () => {
  for (const shard of [0, 1, 2]) await rig.pushTo(shard, 1);
  const jobs = (await rig.store.claim(3, LEASE_MS, requestFrom(0))).jobs;
  const leases = jobs.map(({ id, token }) => ({ id, token }));
  const gone = { id: jobs[1]!.id, token: 'not-its-token' };
  expect(await rig.store.extendLeases([...leases, gone], LEASE_MS)).toEqual([gone]);
  expect(await rig.store.extendLeases([], LEASE_MS)).toEqual([]);
  expect(await rig.store.progress(leases[2]!, '{"done":2}')).toBe(true);
  expect((await rig.queue.getJob(jobs[2]!.id))?.progress).toEqual({ done: 2 });
  expect(await rig.store.jobStatus(jobs[1]!.id)).toBe('processing');
  expect(await rig.store.markHandlerStop(jobs[1]!.id, 'stopping', 1)).toBe(true);
  expect(await rig.store.release(leases.slice(1))).toBe(2);
  expect(await rig.store.release([])).toBe(0);
  expect((await rig.queue.getStats()).pendingJobs).toBe(2);
});

test("heartbeats are kept on shard 0, the queue's home, and removed there", async () => {
  await rig.store.heartbeat('w1', JSON.stringify({ busy: 0 }));
  const home = rig.direct[0]!.keys.workers;
  expect(await rig.raw.hkeys(home)).toEqual(['w1']);
  for (const shard of rig.direct.slice(1)) expect(await rig.raw.exists(shard.keys.workers)).toBe(0);
  await rig.store.removeHeartbeats(['w1']);
  expect(await rig.raw.exists(home)).toBe(0);
});
