/**
 * Unique jobs through the public API: a dispatch whose key is held resolves to the holder and
 * stores nothing, until the holder finishes (or, with uniqueFor, until the time runs out), also
 * when many processes dispatch the same keys at once.
 */
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/index.js';
import { CLUSTER_NODES, REDIS_URL, waitFor } from '../helpers.js';
import { requireBuild, startChild } from './processes.js';
import { gate, useWorkerFixture } from './worker-fixture.js';

const DISPATCHER = fileURLToPath(new URL('../fixtures/unique-dispatcher.mjs', import.meta.url));

describe('unique jobs', () => {
  const f = useWorkerFixture();
  const waiting = async () => f.queue.getQueueSize();

  it('a second dispatch with the key of a waiting job resolves to that job and stores nothing', async () => {
    const first = await f.dispatcher.dispatch('report', { n: 1 }, { uniqueKey: 'report:42' });
    const second = await f.dispatcher.dispatch('report', { n: 2 }, { uniqueKey: 'report:42', priority: 5 });
    expect(second.id).toBe(first.id);
    expect(second.payload).toEqual({ n: 1 });
    expect(second.status).toBe('pending');
    const other = await f.dispatcher.dispatch('report', { n: 3 }, { uniqueKey: 'report:43' });
    expect(other.id).not.toBe(first.id);
    expect(await waiting()).toBe(2);
  });

  it('pushWithOutcome says whether the job was stored or its key was held', async () => {
    const first = await f.queue.pushWithOutcome({ type: 'report', uniqueKey: 'told' });
    expect(first.stored).toBe(true);
    const again = await f.queue.pushWithOutcome({ type: 'report', uniqueKey: 'told' }, 60_000);
    expect(again).toEqual({ job: first.job, stored: false });
    expect((await f.queue.pushWithOutcome({ type: 'report' })).stored).toBe(true);
    expect(await waiting()).toBe(2);
  });

  it('holds for delayed jobs and for pushDelayed too', async () => {
    const first = await f.queue.pushDelayed({ type: 'report', uniqueKey: 'k' }, 60_000);
    const second = await f.queue.push({ type: 'report', uniqueKey: 'k' });
    expect(second.id).toBe(first.id);
    expect(second.runAt).toEqual(first.runAt);
    expect(await waiting()).toBe(1);
  });

  it('pushBulk: duplicates inside one call and of stored jobs resolve to one job each', async () => {
    const stored = await f.queue.push({ type: 'report', uniqueKey: 'a' });
    const jobs = await f.queue.pushBulk([
      { type: 'report', uniqueKey: 'b', payload: { i: 0 } },
      { type: 'report', uniqueKey: 'a', payload: { i: 1 } },
      { type: 'report', payload: { i: 2 } },
      { type: 'report', uniqueKey: 'b', payload: { i: 3 } },
      { type: 'report', uniqueKey: 'c', payload: { i: 4 }, delay: 5_000 },
    ]);
    expect(jobs[1]!.id).toBe(stored.id);
    expect(jobs[3]).toEqual(jobs[0]);
    expect(jobs[3]!.payload).toEqual({ i: 0 });
    expect(new Set(jobs.map((job) => job.id)).size).toBe(4);
    expect(await waiting()).toBe(4);
  });

  it('a running job holds its key; completing it releases the key', async () => {
    const running = gate();
    const release = gate();
    const worker = f.worker();
    worker.registerHandler('report', async () => {
      running.open();
      await release.promise;
      return { success: true };
    });
    const first = await f.dispatcher.dispatch('report', {}, { uniqueKey: 'r' });
    void worker.start();
    await running.promise;
    expect((await f.dispatcher.dispatch('report', {}, { uniqueKey: 'r' })).id).toBe(first.id);
    release.open();
    await waitFor('the job to complete', async () => (await f.statusOf(first)) === 'completed');
    const next = await f.dispatcher.dispatch('report', {}, { uniqueKey: 'r' });
    expect(next.id).not.toBe(first.id);
  });

  it('failing for good and cancelling release the key; a retry that is still to come does not', async () => {
    const worker = f.worker();
    worker.registerHandler('fails', () => ({ success: false, error: 'no' }));
    const failing = await f.dispatcher.dispatch('fails', {}, { uniqueKey: 'f', maxAttempts: 2, delay: 60_000 });
    const cancelled = await f.dispatcher.dispatch('report', {}, { uniqueKey: 'x' });
    await f.queue.cancelJob(cancelled.id);
    expect((await f.dispatcher.dispatch('report', {}, { uniqueKey: 'x' })).id).not.toBe(cancelled.id);

    const retried = await f.dispatcher.dispatch('fails', {}, { uniqueKey: 'g', maxAttempts: 2 });
    void worker.start();
    await waitFor('the job to fail for good', async () => (await f.statusOf(retried)) === 'failed');
    expect((await f.dispatcher.dispatch('fails', {}, { uniqueKey: 'g', delay: 60_000 })).id).not.toBe(retried.id);
    // The delayed one has not run: its key is still held.
    expect((await f.dispatcher.dispatch('fails', {}, { uniqueKey: 'f' })).id).toBe(failing.id);
  });

  it('a retried job takes its key back, unless another job holds it by then', async () => {
    const first = await f.dispatcher.dispatch('report', {}, { uniqueKey: 'k:retry' });
    await f.queue.cancelJob(first.id);
    await f.queue.retryJob(first.id);
    // Waiting again, it holds the key again: a dispatch with it resolves to the retried job.
    expect((await f.dispatcher.dispatch('report', {}, { uniqueKey: 'k:retry' })).id).toBe(first.id);
    expect(await waiting()).toBe(1);
    // The bulk retry too.
    await f.queue.cancelJob(first.id);
    expect(await f.queue.retryJobs('cancelled')).toBe(1);
    expect((await f.dispatcher.dispatch('report', {}, { uniqueKey: 'k:retry' })).id).toBe(first.id);
    // Taken by a new job while the first was cancelled: the new one keeps it.
    await f.queue.cancelJob(first.id);
    const second = await f.dispatcher.dispatch('report', {}, { uniqueKey: 'k:retry' });
    expect(second.id).not.toBe(first.id);
    await f.queue.retryJob(first.id);
    expect((await f.dispatcher.dispatch('report', {}, { uniqueKey: 'k:retry' })).id).toBe(second.id);
    expect(await waiting()).toBe(2);
  });

  it('uniqueFor keeps the key taken after the job finished, until the time runs out', async () => {
    const worker = f.worker();
    worker.registerHandler('report', () => ({ success: true }));
    void worker.start();
    const first = await f.dispatcher.dispatch('report', {}, { uniqueKey: 'daily', uniqueFor: 1_500 });
    await waitFor('the job to complete', async () => (await f.statusOf(first)) === 'completed');
    const again = await f.dispatcher.dispatch('report', {}, { uniqueKey: 'daily', uniqueFor: 1_500 });
    expect(again.id).toBe(first.id);
    expect(again.status).toBe('completed');
    // Each dispatch while the key is taken stores nothing, so trying again is harmless.
    const later = await waitFor('the key to be free again', async () => {
      const job = await f.dispatcher.dispatch('report', {}, { uniqueKey: 'daily', uniqueFor: 1_500 });
      return job.id === first.id ? null : job;
    }, { timeoutMs: 15_000, intervalMs: 100 });
    expect(later.id).not.toBe(first.id);
    // Two jobs in all: the first and the one after the time ran out.
    await waitFor('both jobs to complete', async () => (await f.queue.getStats()).completedJobs === 2);
    expect(await waiting()).toBe(0);
  });

  it('refuses a bad key or uniqueFor, naming it, and stores nothing', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ uniqueKey: 42 }, /uniqueKey must be a string of 1 to 500 characters, got a number/],
      [{ uniqueKey: '' }, /uniqueKey must be a string of 1 to 500 characters, got 0 characters/],
      [{ uniqueKey: 'k'.repeat(501) }, /got 501 characters/],
      [{ uniqueFor: 1_000 }, /uniqueFor needs a uniqueKey/],
      [{ uniqueKey: 'k', uniqueFor: 0 }, /uniqueFor must be a number of milliseconds from 1 to/],
      [{ uniqueKey: 'k', uniqueFor: '1s' }, /uniqueFor must be a number of milliseconds/],
    ];
    for (const [options, message] of bad) {
      const dispatched = f.dispatcher.dispatch('report', {}, options as never);
      await expect(dispatched).rejects.toThrow(ValidationError);
      await expect(dispatched).rejects.toThrow(message);
    }
    await expect(f.queue.pushBulk([{ type: 'report', uniqueKey: 'ok' }, { type: 'report', uniqueKey: null as never }])).rejects.toThrow(/uniqueKey/);
    expect(await waiting()).toBe(0);
    expect((await f.dispatcher.dispatch('report', {}, { uniqueKey: 'ok' })).status).toBe('pending');
  });

  describe('dispatched at once from several processes', () => {
    beforeAll(() => requireBuild());

    it('gives exactly one job per key, and every dispatcher the same id for it', async () => {
      const keys = Array.from({ length: 10 }, (_, i) => `key-${i}`);
      const startAt = Date.now() + 1_500;
      const producers = Array.from({ length: 4 }, () => startChild(process.execPath, [DISPATCHER], {
        REDIS_URL, FLEXQ_CLUSTER: CLUSTER_NODES?.join(',') ?? '', FLEXQ_PREFIX: f.prefix, FLEXQ_QUEUE: f.queue.name, FLEXQ_KEYS: keys.join(','), FLEXQ_ROUNDS: '50',
        FLEXQ_START_AT: String(startAt),
      }));
      await Promise.all(producers.map((p) => p.line(/^DONE$/, 60_000)));
      await Promise.all(producers.map((p) => p.exited));
      const idsByKey = new Map<string, Set<string>>();
      for (const line of producers.flatMap((p) => p.lines.filter((l) => l.startsWith('key-')))) {
        const [key, id] = line.split(' ') as [string, string];
        idsByKey.set(key, (idsByKey.get(key) ?? new Set()).add(id));
      }
      // 4 processes × 50 rounds × 10 keys = 2,000 dispatches, 200 per key.
      expect(producers.flatMap((p) => p.lines).filter((l) => l.startsWith('key-'))).toHaveLength(2_000);
      expect([...idsByKey.keys()].sort()).toEqual([...keys].sort());
      for (const ids of idsByKey.values()) expect(ids.size).toBe(1);
      expect(await waiting()).toBe(10);
    });
  });
});
