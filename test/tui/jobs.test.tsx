import { afterEach, describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/index.js';
import { KEY, openHarness, type Harness } from './harness.js';
import { waitFor } from '../helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('jobs and actions', () => {
  it('opens a job detail: fields, redacted payload, error, failed attempts and its own log lines', async () => {
    h = await openHarness({
      redact: ['auth.token', 'headers.*'],
      handlers: {
        work: async (ctx: JobContext) => {
          ctx.logger.info('working on it');
          return { success: false, error: 'upstream said no', retry: false };
        },
      },
    });
    const job = await h.queue.push({ type: 'work', payload: { user: 'ada', auth: { token: 's3cret' }, headers: { 'x-key': 'k9' } } });
    await waitFor('the job failed', async () => (await h!.queue.getJobStatus(job.id)) === 'failed');
    await h.press('5');
    await h.frame((f) => f.includes(job.id) && f.includes('upstream said no'), 'the failed job in tab 5');
    await h.press(KEY.enter);
    const top = await h.frame((f) => f.includes(`Job ${job.id}`) && f.includes('upstream said no'), 'the detail');
    expect(top).toContain('status     failed');
    expect(top).toContain('attempts   1/3');
    expect(top).toMatch(/failed attempts\s+#1 .* -> failed: upstream said no/);
    // The rest is further down: scroll with j.
    for (let i = 0; i < 12; i++) await h.press('j');
    const detail = await h.frame('working on it', 'the job\'s own log lines');
    expect(detail).toContain('"user": "ada"');
    expect(detail).toContain('"token": "[redacted]"');
    expect(detail).toContain('"x-key": "[redacted]"');
    expect(detail).not.toContain('s3cret');
    expect(detail).not.toContain('k9');
    expect(detail).toContain('job failed'); // the worker's outcome line for this job
    await h.press(KEY.escape);
    await h.frame((f) => f.includes('LAST ERROR') && f.includes(job.id), 'back in the jobs pane');
  });

  it('r retries a failed job', async () => {
    let runs = 0;
    h = await openHarness({ handlers: { flaky: () => (++runs === 1 ? { success: false, retry: false, error: 'first run fails' } : { success: true, data: { ok: 1 } }) } });
    const job = await h.queue.push({ type: 'flaky' });
    await waitFor('failed', async () => (await h!.queue.getJobStatus(job.id)) === 'failed');
    await h.press('5');
    await h.frame(job.id, 'failed job listed');
    await h.press('r');
    await h.frame(`${job.id} sent back to pending`, 'the retry toast');
    await waitFor('completed after the retry', async () => (await h!.queue.getJobStatus(job.id)) === 'completed');
    await h.press('6');
    await h.frame((f) => f.includes(job.id) && f.includes('{"ok":1}'), 'completed with its result');
    // Retrying a completed job is refused before asking Redis, and the console says why.
    await h.press('r');
    await h.frame(`job ${job.id} is completed: only failed or cancelled jobs can be retried`, 'an error toast');
  });

  it('+ and - change a waiting job\'s priority', async () => {
    h = await openHarness();
    const job = await h.queue.push({ type: 'p', priority: 5 });
    await h.press(KEY.enter);
    await h.frame((f) => f.includes(job.id), 'the job');
    await h.press('+');
    await h.frame(`priority of ${job.id} is now 6`, 'raised');
    expect((await h.queue.getJob(job.id))!.priority).toBe(6);
    await h.press('-', '-');
    await waitFor('lowered twice', async () => (await h!.queue.getJob(job.id))!.priority === 4);
    await h.frame((f) => /\b4\s+0\/3/.test(f), 'the row shows priority 4');
  });

  it('/ with a full job id opens that job, whatever its queue or status; other text filters', async () => {
    h = await openHarness({ queueNames: ['first', 'second'] });
    const other = await h.queues[1]!.pushDelayed({ type: 'elsewhere', payload: { note: 'find me' } }, 60_000);
    await h.queues[0]!.push({ type: 'alpha', payload: { city: 'Lisbon' } });
    const beta = await h.queues[0]!.push({ type: 'beta', payload: { city: 'Porto' } });
    await h.frame((f) => f.includes('1:pend 2'), 'first queue loaded');
    await h.press('/');
    await h.frame('search (id, type, payload, error; age>1h, age<5m):', 'the search line');
    await h.press(...other.id.split(''), KEY.enter);
    const detail = await h.frame((f) => f.includes(`Job ${other.id}`) && f.includes('find me'), 'the detail of a job in the other queue');
    expect(detail).toContain('queue      second');
    await h.press(KEY.escape);
    await h.frame('LAST ERROR', 'back');
    // Payload text: only the matching job stays listed.
    await h.press('/', ...'porto'.split(''), KEY.enter);
    await h.frame((f) => f.includes('1 match(es) for "porto"') && f.includes(beta.id) && !f.includes('alpha'), 'the search result');
    await h.press(KEY.escape);
    await h.frame((f) => f.includes('alpha') && f.includes('beta'), 'search cleared');
  });
});
