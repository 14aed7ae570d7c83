import { describe, expect, it } from 'vitest';
import { handlerFunc, PermanentError, type JobResult } from '../../src/index.js';
import { observedHandler, type RunOutcome } from '../../src/host/handler-wrappers.js';
import { makeContext, makeJob } from '../handlers/helpers.js';

describe('observedHandler', () => {
  /** Runs `run` wrapped; what the wrapper reported, and what it returned or threw. */
  async function observe(run: () => unknown, attempts = 1) {
    let seen: RunOutcome | undefined;
    const handler = observedHandler(handlerFunc(async () => run() as never), (_job, outcome) => (seen = outcome));
    const job = { ...makeJob('demo', {}), attempts, maxAttempts: 3 };
    try {
      const returned: JobResult = await handler.handle(makeContext().ctx, job);
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
});
