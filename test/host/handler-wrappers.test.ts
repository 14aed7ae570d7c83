import { describe, expect, it } from 'vitest';
import { handlerFunc, PermanentError } from '../../src/index.js';
import { observedHandler, queueTimeoutHandler, type RunOutcome } from '../../src/host/handler-wrappers.js';
import { makeContext, makeJob } from '../handlers/helpers.js';

describe('observedHandler', () => {
  async function outcomeOf(run: () => unknown, attempts = 1): Promise<RunOutcome | undefined> {
    let seen: RunOutcome | undefined;
    const handler = observedHandler(handlerFunc(async () => run() as never), (_job, outcome) => (seen = outcome));
    await Promise.resolve(handler.handle(makeContext().ctx, { ...makeJob('demo', {}), attempts, maxAttempts: 3 })).catch(() => undefined);
    return seen;
  }

  it('names the outcome the engine will record', async () => {
    expect(await outcomeOf(() => ({ success: true }))).toBe('completed');
    expect(await outcomeOf(() => ({ success: false }))).toBe('retrying');
    expect(await outcomeOf(() => ({ success: false }), 3)).toBe('failed');
    expect(await outcomeOf(() => ({ success: false, retry: false }))).toBe('failed');
    expect(await outcomeOf(() => { throw new Error('boom'); })).toBe('retrying');
    expect(await outcomeOf(() => { throw new PermanentError('bad'); })).toBe('failed');
  });
});

describe('queueTimeoutHandler', () => {
  const waitForAbort = handlerFunc(
    (ctx) => new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error), { once: true })),
  );

  it('aborts a job without its own timeout after the queue timeout and fails the attempt', async () => {
    const result = await queueTimeoutHandler(waitForAbort, 20).handle(makeContext().ctx, makeJob('demo', {}));
    expect(result).toEqual({ success: false, error: 'job timed out after 20 ms (queue timeout)' });
  });

  it('leaves jobs with their own timeout to the engine and passes cancellation through', async () => {
    const quick = handlerFunc(() => ({ success: true }));
    expect(await queueTimeoutHandler(quick, 1).handle(makeContext().ctx, { ...makeJob('demo', {}), timeout: 5 })).toEqual({ success: true });
    const { ctx, controller } = makeContext();
    const running = Promise.resolve(queueTimeoutHandler(waitForAbort, 60_000).handle(ctx, makeJob('demo', {})));
    controller.abort(new Error('cancelled'));
    await expect(running).rejects.toThrow('cancelled');
  });
});
