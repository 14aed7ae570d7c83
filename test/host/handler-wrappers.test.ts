import { describe, expect, it } from 'vitest';
import { handlerFunc, PermanentError } from '../../src/index.js';
import { observedHandler, type RunOutcome } from '../../src/host/handler-wrappers.js';
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

