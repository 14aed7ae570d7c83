import { afterEach, describe, expect, it } from 'vitest';
import type { Job, JobContext, JobResult } from '../../src/index.js';
import { KEY, openHarness, type Harness } from './harness.js';
import { freePort, startPrivateRedis, waitFor } from '../helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('cancel', () => {
  it('a cancel cut off by Redis going away says which action is unconfirmed and why, in words', async () => {
    const redis = await startPrivateRedis(await freePort());
    try {
      h = await openHarness({ connect: { url: redis.url, prefix: 'flexq' } });
      const job = await h.queue.push({ type: 'idle', payload: {} });
      await h.press('1');
      await h.frame((f) => f.includes(job.id), 'the pending job');
      await redis.stop();
      await h.press('c');
      await h.frame(`Cancel job ${job.id}`, 'the confirmation');
      await h.press('y');
      const frame = await h.frame(`cancel ${job.id}: not confirmed, Redis is not answering (`, 'the toast', 15_000);
      expect(frame).not.toContain('maxRetriesPerRequest');
    } finally {
      await redis.stop();
    }
  }, 30_000);

  it('c asks y/n; n leaves the job, y cancels it and its handler sees ctx.signal abort', async () => {
    const aborted: unknown[] = [];
    h = await openHarness({
      handlers: {
        slow: (ctx: JobContext) => new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            aborted.push(ctx.signal.reason);
            resolve({ success: true });
          });
        }),
      },
    });
    const job = await h.queue.push({ type: 'slow', payload: { n: 1 } });
    await waitFor('running', async () => (await h!.queue.getJobStatus(job.id)) === 'processing');
    await h.press('3');
    await h.frame((f) => f.includes(job.id) && f.includes('PROGRESS'), 'the running job in tab 3');
    await h.press('c');
    await h.frame(`Cancel job ${job.id} (slow, processing)? y/n`, 'the confirmation');
    await h.press('n');
    await h.frame((f) => !f.includes('? y/n'), 'the prompt gone');
    expect(await h.queue.getJobStatus(job.id)).toBe('processing');
    await h.press('c');
    await h.frame('? y/n', 'asked again');
    await h.press('y');
    await h.frame(`cancelled ${job.id}`, 'the toast');
    expect(await h.queue.getJobStatus(job.id)).toBe('cancelled');
    await waitFor('the handler saw the abort', () => aborted.length === 1);
    expect((aborted[0] as { kind?: string }).kind).toBe('cancelled');
    await h.press('7');
    await h.frame((f) => f.includes(job.id) && h!.store.getState().page?.tab === 'cancelled', 'listed as cancelled');
    // A cancelled job offers no c, and c says why without asking.
    expect(h.lastFrame()).not.toContain('c cancel');
    await h.press('c');
    await h.frame(`job ${job.id} is cancelled: only pending, delayed, retrying or processing jobs can be cancelled`, 'the reason, no question');
    expect(h.lastFrame()).not.toContain('? y/n');
    await h.press(KEY.enter);
    const detail = await h.frame(`Job ${job.id} · default · cancelled`, 'the loaded detail');
    expect(detail).toContain('r retry');
    expect(detail).not.toContain('c cancel');
    expect(detail).not.toContain('only pending'); // the message stayed with the jobs pane
  });

  it('y acts on the job the question named, even after the list moved under the prompt', async () => {
    // Each job runs until the test finishes it (or it is cancelled).
    const finish = new Map<string, () => void>();
    h = await openHarness({
      handlers: {
        held: (ctx: JobContext, job: Job) => new Promise<JobResult>((resolve) => {
          finish.set(job.id, () => resolve({ success: true }));
          ctx.signal.addEventListener('abort', () => resolve({ success: false, retry: false }));
        }),
      },
    });
    const a = await h.queue.push({ type: 'held' });
    const b = await h.queue.push({ type: 'held' });
    await waitFor('both running', () => finish.size === 2);
    await h.press('3');
    await h.frame((f) => f.includes(a.id) && f.includes(b.id), 'both jobs in tab 3');
    const named = h.store.getState().page!.jobs[0]!.id;
    const other = named === a.id ? b.id : a.id;
    await h.press('c');
    await h.frame(`Cancel job ${named} (held, processing)? y/n`, 'the question about the selected job');
    // The named job finishes while the question is open: the list moves, and the other job is selected.
    finish.get(named)!();
    await waitFor('the page without the named job', () => {
      const jobs = h!.store.getState().page?.jobs ?? [];
      return jobs.length === 1 && jobs[0]!.id === other;
    });
    await h.press('y');
    // Nothing is cancelled: the named job is done, and the engine's refusal names it.
    await h.frame(`cancelJob: job ${named} is completed`, 'the refusal naming the job of the question');
    expect(await h.queue.getJobStatus(named)).toBe('completed');
    expect(await h.queue.getJobStatus(other)).toBe('processing');
    finish.get(other)!();
  });
});
