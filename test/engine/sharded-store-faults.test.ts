/**
 * A worker's calls on a queue of 3 shards while one shard (or every one) refuses them: the other
 * shards go on serving, a failing shard is left out of claim rounds for a while, its failed claim
 * is sent again once it answers (so the jobs that call may have leased come back), and what it
 * could not record waits for it. Only a round that no shard answered fails.
 */
import { expect, test } from 'vitest';
import { pino } from 'pino';
import { OutcomeBuffer } from '../../src/engine/outcome-buffer.js';
import { Reachability } from '../../src/engine/reachability.js';
import type { ClaimReply, Outcome } from '../../src/engine/worker-wire.js';
import { waitFor } from '../helpers.js';
import { LEASE_MS, requestFrom, shardOf, useShardedRig } from './sharded-rig.js';

const rig = useShardedRig();
const idsOf = (reply: ClaimReply) => reply.jobs.map((job) => job.id);
const completed = (job: { id: string; token: string }): Outcome => ({ id: job.id, token: job.token, kind: 'completed', value: '', retryDelay: 0 });
/** A shard whose call failed is left out of rounds for 500 ms at first. */
const FIRST_BACKOFF_MS = 500;

/** One job on each shard, claimed: their leases, in shard order. */
async function oneRunningPerShard() {
  for (const shard of [0, 1, 2]) await rig.pushTo(shard, 1);
  return (await rig.store.claim(3, LEASE_MS, requestFrom(0))).jobs;
}

test('a shard that refuses claims is left out for a while; the others serve, and its jobs are claimed once it answers', async () => {
  const [stuck] = await rig.pushTo(1, 1);
  await rig.pushTo(0, 1);
  await rig.pushTo(2, 1);
  rig.refuse(1, 'claimJobs');
  const failedBefore = Date.now();
  const reply = await rig.store.claim(3, LEASE_MS, requestFrom(1));
  expect(reply.jobs.map((job) => shardOf(job.id))).toEqual([2, 0]);
  rig.allow(1);
  const asked = rig.count(1, 'claimJobs');
  const next = await rig.store.claim(3, LEASE_MS, requestFrom(1));
  // Only conclusive while the shard's first backoff lasts (a loaded machine may take longer).
  if (Date.now() - failedBefore < FIRST_BACKOFF_MS) expect([idsOf(next), asked()]).toEqual([[], 0]);
  await waitFor('the shard to be asked again', async () => idsOf(await rig.store.claim(3, LEASE_MS, requestFrom(1))).includes(stuck!));
});

test('a round fails only when every shard it asked failed; the next round asks them all again', async () => {
  const ids = [...await rig.pushTo(0, 1), ...await rig.pushTo(1, 1), ...await rig.pushTo(2, 1)];
  for (const shard of [0, 1, 2]) rig.refuse(shard, 'claimJobs');
  await expect(rig.store.claim(3, LEASE_MS, requestFrom(0))).rejects.toThrow(/function not found/i);
  for (const shard of [0, 1, 2]) rig.allow(shard);
  // Every shard is in its backoff now: leaving them all out would leave the worker nothing to ask.
  expect(idsOf(await rig.store.claim(3, LEASE_MS, requestFrom(0))).sort()).toEqual(ids.sort());
});

test('a claim that failed on a shard is sent again on its next claim there, so the jobs that call leased come back', async () => {
  const [lost] = await rig.pushTo(1, 1);
  const request = requestFrom(1);
  // Redis ran the claim, but its reply never came: the job is leased to a call that failed.
  const [leased] = (await rig.direct[1]!.claim(1, LEASE_MS, request)).jobs;
  rig.refuse(1, 'claimJobs');
  expect(idsOf(await rig.store.claim(1, LEASE_MS, request))).toEqual([]);
  rig.allow(1);
  const back = await waitFor('the leased job to come back', async () => (await rig.store.claim(1, LEASE_MS, requestFrom(0))).jobs.find((job) => job.id === lost));
  expect(back.token).toBe(leased!.token);
  // Sent again once: the shard's next claim is a claim of its own.
  const [after] = await rig.pushTo(1, 1);
  expect(idsOf(await rig.store.claim(1, LEASE_MS, requestFrom(1)))).toEqual([after]);
});

/** What the store's listeners hear: job id and whether Redis recorded its outcome, in order. */
function listen(): { heard: [string, boolean][]; stop: () => void } {
  const heard: [string, boolean][] = [];
  const stop = rig.store.onRecorded((outcomes, recorded) => outcomes.forEach((outcome, i) => heard.push([outcome.id, recorded[i]!])));
  return { heard, stop };
}

test("an outcome a round could not record on its shard waits there for the shard's next call, and is reported then", async () => {
  const [job] = await rig.pushTo(2, 1);
  const [claimed] = (await rig.store.claim(1, LEASE_MS, requestFrom(2))).jobs;
  const { heard, stop } = listen();
  rig.refuse(2, 'finishAndClaimJobs');
  const [flags] = await rig.store.finishAndClaim([completed(claimed!)], 1, LEASE_MS, requestFrom(2));
  expect(flags).toEqual(['held']);
  expect(heard).toEqual([]);
  expect(await rig.status(job!)).toBe('processing');
  rig.allow(2);
  await waitFor('the outcome to be recorded', async () => {
    await rig.store.claim(1, LEASE_MS, requestFrom(2));
    return (await rig.status(job!)) === 'completed';
  });
  expect(heard).toEqual([[job, true]]);
  stop();
});

test('listeners hear an outcome Redis ignored (its job moved on) as not recorded; a removed listener hears nothing', async () => {
  const jobs = await oneRunningPerShard();
  await rig.queue.cancelJob(jobs[1]!.id);
  const { heard, stop } = listen();
  const removed = listen();
  removed.stop();
  expect(await rig.store.finish(jobs.map(completed))).toEqual(['held', 'held', 'held']);
  expect(new Map(heard)).toEqual(new Map([[jobs[0]!.id, true], [jobs[1]!.id, false], [jobs[2]!.id, true]]));
  expect(removed.heard).toEqual([]);
  stop();
});

/** A worker's outcome buffer on the rig's store, and the jobs whose "job completed" line it logged. */
function outcomeBuffer() {
  const lines: { msg: string; jobId?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { msg: string; jobId?: string }) });
  const buffer = new OutcomeBuffer(rig.store, logger, new Reachability(logger), 10);
  const completedLines = () => lines.filter((line) => line.msg === 'job completed').map((line) => line.jobId);
  const add = (job: { id: string; token: string }) => buffer.add({ ...completed(job), line: { jobId: job.id, type: 't', attempt: 1, durationMs: 1, outcome: 'completed' } });
  return { buffer, completedLines, add };
}

test("a worker logs a held outcome's attempt line once its shard has recorded it, not when its round returns", async () => {
  const { buffer, completedLines, add } = outcomeBuffer();
  const [job] = await rig.pushTo(1, 1);
  const [claimed] = (await rig.store.claim(1, LEASE_MS, requestFrom(1))).jobs;
  add(claimed!);
  rig.refuse(1, 'finishAndClaimJobs');
  const batch = buffer.take();
  buffer.reportRecorded(batch, (await rig.store.finishAndClaim(batch, 1, LEASE_MS, requestFrom(1)))[0]);
  expect(completedLines()).toEqual([]);
  rig.allow(1);
  await waitFor('the held outcome to be recorded', async () => {
    await rig.store.claim(1, LEASE_MS, requestFrom(1));
    return (await rig.status(job!)) === 'completed';
  });
  expect(completedLines()).toEqual([job]);
  buffer.close();
});

test('finish rejects when a shard refuses, records the others, and keeps what it could not record for the next call', async () => {
  const jobs = await oneRunningPerShard();
  rig.refuse(2, 'finishJobs');
  await expect(rig.store.finish(jobs.map(completed))).rejects.toThrow(/function not found/i);
  expect(await Promise.all(jobs.map((job) => rig.status(job.id)))).toEqual(['completed', 'completed', 'processing']);
  rig.allow(2);
  expect(await rig.store.finish([])).toEqual([]);
  expect(await rig.status(jobs[2]!.id)).toBe('completed');
});

test('outcomes held past a round are sent on their own, and stay held while their shard refuses them', async () => {
  const jobs = await oneRunningPerShard();
  await rig.pushTo(0, 100);
  // Shard 0 fills each round: the outcome of shard 2's job is held, then sent alone, refused.
  rig.refuse(2, 'finishJobs');
  await rig.store.finishAndClaim([completed(jobs[2]!)], 1, LEASE_MS, requestFrom(0));
  const sentAlone = rig.count(2, 'finishJobs');
  await waitFor('the held outcome to be sent alone', async () => {
    await rig.store.claim(1, LEASE_MS, requestFrom(0));
    return sentAlone() > 0;
  });
  expect(await rig.status(jobs[2]!.id)).toBe('processing');
  rig.allow(2);
  await rig.store.finish([]);
  expect(await rig.status(jobs[2]!.id)).toBe('completed');
});

test('a shard that refuses renewals reports no lost lease; only when every shard refuses do renewals fail', async () => {
  const jobs = await oneRunningPerShard();
  const leases = jobs.map(({ id, token }) => ({ id, token }));
  const stale = leases.map(({ id }) => ({ id, token: 'stale' }));
  rig.refuse(1, 'extendLeases');
  expect(await rig.store.extendLeases(stale, LEASE_MS)).toEqual([stale[0], stale[2]]);
  for (const shard of [0, 2]) rig.refuse(shard, 'extendLeases');
  await expect(rig.store.extendLeases(leases, LEASE_MS)).rejects.toThrow(/function not found/i);
});

test('a hand-back rejects when a shard refuses it, once the other shards have taken theirs back', async () => {
  const jobs = await oneRunningPerShard();
  rig.refuse(1, 'releaseJobs');
  await expect(rig.store.release(jobs.map(({ id, token }) => ({ id, token })))).rejects.toThrow(/function not found/i);
  expect(await Promise.all(jobs.map((job) => rig.status(job.id)))).toEqual(['pending', 'processing', 'pending']);
});

test('a flush that a shard refuses for a while logs each outcome once, when its shard records it', async () => {
  const { buffer, completedLines, add } = outcomeBuffer();
  const jobs = await oneRunningPerShard();
  jobs.forEach(add);
  rig.refuse(2, 'finishJobs');
  const refused = rig.count(2, 'finishJobs');
  const flushed = buffer.flush(false);
  // Each try reaches shard 2 twice (the call, and again once the library is loaded): two tries.
  await waitFor('the flush to try twice', () => refused() >= 4);
  expect(await Promise.all(jobs.map((job) => rig.status(job.id)))).toEqual(['completed', 'completed', 'processing']);
  rig.allow(2);
  await flushed;
  expect(await rig.status(jobs[2]!.id)).toBe('completed');
  expect(completedLines().sort()).toEqual(jobs.map((job) => job.id).sort());
  buffer.close();
});

test("a stopping worker's final flush sends the outcomes its store still holds", async () => {
  const { buffer, completedLines, add } = outcomeBuffer();
  const [held] = await rig.pushTo(2, 1);
  const [running] = (await rig.store.claim(1, LEASE_MS, requestFrom(2))).jobs;
  await rig.pushTo(0, 3);
  add(running!);
  // The round starts at shard 0, which fills it: shard 2's outcome is held, not sent.
  const batch = buffer.take();
  buffer.reportRecorded(batch, (await rig.store.finishAndClaim(batch, 1, LEASE_MS, requestFrom(0)))[0]);
  expect(await rig.status(held!)).toBe('processing');
  await buffer.flush(true);
  expect(await rig.status(held!)).toBe('completed');
  expect(completedLines()).toEqual([held]);
  buffer.close();
});
