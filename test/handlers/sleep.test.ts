import { describe, expect, it } from 'vitest';
import { builtinHandler } from '../../src/handlers/builtin.js';
import { sleepJobHandler } from '../../src/handlers/sleep.js';
import { makeContext, makeJob } from './helpers.js';

describe('sleep built-in', () => {
  it('sleeps payload.ms, reporting progress up to 100', async () => {
    const { ctx } = makeContext();
    const reported: unknown[] = [];
    ctx.progress = async (value) => void reported.push(value);
    const result = await sleepJobHandler({ ms: 60_000 }).handle(ctx, makeJob('demo', { ms: 20 }));
    expect(result).toEqual({ success: true, data: { sleptMs: 20 } });
    expect(reported).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it('falls back to options.ms, which builtinHandler accepts as a duration string', async () => {
    const { ctx } = makeContext();
    expect(await builtinHandler('sleep', { ms: '15ms' }).handle(ctx, makeJob('demo', {}))).toEqual({ success: true, data: { sleptMs: 15 } });
    expect(() => builtinHandler('sleep', { seconds: 1 })).toThrow('unknown sleep option "seconds"');
  });

  it('stops when ctx.signal aborts', async () => {
    const { ctx, controller } = makeContext();
    const running = Promise.resolve(sleepJobHandler().handle(ctx, makeJob('demo', { ms: 60_000 })));
    controller.abort(new Error('cancelled'));
    await expect(running).rejects.toThrow('cancelled');
  });

  it('fails on purpose: every attempt for fail = true, the first n attempts for fail = n', async () => {
    const { ctx } = makeContext();
    const handler = sleepJobHandler({ ms: 0 });
    expect(await handler.handle(ctx, makeJob('demo', { fail: true }))).toMatchObject({ success: false, error: 'failed on purpose (payload.fail, attempt 1)' });
    expect(await handler.handle(ctx, { ...makeJob('demo', { fail: 1 }), attempts: 1 })).toMatchObject({ success: false });
    expect(await handler.handle(ctx, { ...makeJob('demo', { fail: 1 }), attempts: 2 })).toMatchObject({ success: true });
  });

  it('fails for good on a payload.ms that is not a duration', async () => {
    const { ctx } = makeContext();
    expect(await sleepJobHandler().handle(ctx, makeJob('demo', { ms: 'soon' }))).toMatchObject({ success: false, retry: false });
  });

  it.each([
    [1e12, '1000000000000'], [2 ** 31, '2147483648'], [-1, '-1'], [Infinity, 'Infinity'], [NaN, 'NaN'],
  ])('fails for good, at once, naming the value, on payload.ms %s (a timer would overflow and fire after 1 ms)', async (ms, shown) => {
    const { ctx } = makeContext();
    const reported: unknown[] = [];
    ctx.progress = async (value) => void reported.push(value);
    const result = await sleepJobHandler().handle(ctx, makeJob('demo', { ms }));
    expect(result).toEqual({ success: false, retry: false, error: `payload.ms must be a number of milliseconds from 0 to 2147483647, got ${shown}` });
    expect(reported).toEqual([]); // nothing ran
  });

  it('accepts the longest timer Node can hold, and refuses a longer default at creation', async () => {
    const { ctx, controller } = makeContext();
    const running = Promise.resolve(sleepJobHandler().handle(ctx, makeJob('demo', { ms: 2 ** 31 - 1 })));
    const outcome = await Promise.race([running.then(() => 'finished', () => 'stopped'), new Promise((resolve) => setTimeout(() => resolve('still sleeping'), 100))]);
    expect(outcome).toBe('still sleeping');
    controller.abort(new Error('done looking'));
    await expect(running).rejects.toThrow('done looking');
    expect(() => sleepJobHandler({ ms: 1e12 })).toThrow('sleep option ms must be a number of milliseconds from 0 to 2147483647, got 1000000000000');
  });
});
