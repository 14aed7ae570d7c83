import { describe, expect, it } from 'vitest';
import { handlerFunc, JobAbortedError, PermanentError, type JobResult } from '../../src/index.js';
import { observedHandler, type RunOutcome } from '../../src/host/handler-wrappers.js';
import { makeContext, makeJob } from '../handlers/helpers.js';

describe('observedHandler', () => {
  /** Runs `run` wrapped; what the wrapper reported, and what it returned or threw. */
  async function observe(run: () => unknown, attempts = 1, abort?: JobAbortedError) {
    let seen: RunOutcome | undefined;
    const handler = observedHandler(handlerFunc(async () => run() as never), (_job, outcome) => (seen = outcome));
    const job = { ...makeJob('demo', {}), attempts, maxAttempts: 3 };
    const { ctx, controller } = makeContext();
    if (abort) controller.abort(abort);
    try {
      const returned: JobResult = await handler.handle(ctx, job);
      return { seen, returned, thrown: undefined as unknown };
    } catch (thrown) {
      return { seen, returned: undefined, thrown };
    }
  }

  it('names the outcome the engine will record, and passes the result through', async () => {
    expect(await observe(() => ({ success: true, data: 7 }))).toEqual({ seen: 'completed', returned: { success: true, data: 7 }, thrown: undefined });
    expect(await observe(() => ({ success: false }))).toMatchObject({ seen: 'retrying', returned: { success: false } });
    expect(await observe(() => ({ success: false }), 3)).toMatchObject({ seen: 'failed', returned: { success: false } });
    expect(await observe(() => ({ success: false, retry: false }))).toMatchObject({ seen: 'failed', returned: { success: false, retry: false } });
  });

  it('rethrows what the handler throws, unchanged, after reporting it', async () => {
    const boom = new Error('boom');
    expect(await observe(() => { throw boom; })).toEqual({ seen: 'retrying', returned: undefined, thrown: boom });
    const bad = new PermanentError('bad');
    expect(await observe(() => { throw bad; })).toEqual({ seen: 'failed', returned: undefined, thrown: bad });
    expect(await observe(() => { throw boom; }, 3)).toEqual({ seen: 'failed', returned: undefined, thrown: boom });
  });

  it('an aborted run is named by why it was aborted, whatever the handler returned', async () => {
    const done = () => ({ success: true });
    const outcome = async (kind: JobAbortedError['kind'], attempts = 1) => (await observe(done, attempts, new JobAbortedError(kind, kind))).seen;
    expect(await outcome('cancelled')).toBe('cancelled');
    expect(await outcome('shutdown')).toBe('handed_back');
    expect(await outcome('lease-lost')).toBe('lease_lost');
    expect(await outcome('timeout')).toBe('retrying');
    expect(await outcome('timeout', 3)).toBe('failed');
    // An abort for another reason than the engine's counts as the handler's own result.
    const { ctx, controller } = makeContext();
    controller.abort(new Error('not the engine'));
    let seen: RunOutcome | undefined;
    await observedHandler(handlerFunc(async () => ({ success: true })), (_job, o) => (seen = o)).handle(ctx, makeJob('demo', {}));
    expect(seen).toBe('completed');
  });

  it('a result that is not a JobResult counts as a failed attempt, as the worker counts it', async () => {
    for (const result of [undefined, null, 'ok', { success: 'yes' }]) {
      expect((await observe(() => result)).seen, JSON.stringify(result)).toBe('retrying');
    }
  });

  it('reports the run time in seconds', async () => {
    let seconds = -1;
    const handler = observedHandler(handlerFunc(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { success: true };
    }), (_job, _outcome, s) => (seconds = s));
    await handler.handle(makeContext().ctx, makeJob('demo', {}));
    // At least the 50 ms waited; far less than 50 s (milliseconds taken for seconds).
    expect(seconds).toBeGreaterThanOrEqual(0.04);
    expect(seconds).toBeLessThan(30);
  });
});
