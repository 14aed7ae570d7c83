import { afterEach, describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/index.js';
import { openHarness, type Harness } from './harness.js';
import { waitFor } from '../helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('cancel', () => {
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
    // Cancelling it again is refused with the engine's reason.
    await h.press('c');
    await h.frame('? y/n', 'asked');
    await h.press('y');
    await h.frame(`cancelJob: job ${job.id} is cancelled`, 'the refusal as a toast');
  });
});
