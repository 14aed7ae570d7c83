/**
 * A secret written with the wrong type (a numeric password without quotes in flexq.toml, a number
 * passed to `connect`) is refused, and the refusal names the key and what kind of value it got,
 * never the value itself: these errors go to stderr and host logs.
 */
import { describe, expect, it } from 'vitest';
import { RedisQueue, webhookJobHandler } from '../../src/index.js';
import { errorOf } from '../host/config-helpers.js';
import { REDIS_URL } from '../helpers.js';

describe('a wrong-typed secret', () => {
  it('in flexq.toml is refused without its value', () => {
    const message = errorOf(`
[redis]
password = 98765432
[smtp]
password = 4242
[webhook]
signingSecret = 1234567
`).message;
    expect(message).toContain('flexq.toml:3: redis.password: expected a string in quotes, got a number');
    expect(message).toContain('smtp.password: expected a string in quotes, got a number');
    expect(message).toContain('webhook.signingSecret: expected a string in quotes, got a number');
    expect(message).not.toMatch(/98765432|4242|1234567/);
  });

  it('given to the library is refused without its value', async () => {
    const connecting = await RedisQueue.connect('secrets', { url: REDIS_URL, password: 12345678 as never }).catch((err: Error) => err.message);
    expect(connecting).toBe('connect: password must be a string, got a number');
    const refused = (options: Record<string, unknown>) => {
      try {
        webhookJobHandler(options as never);
        return 'accepted';
      } catch (err) {
        return (err as Error).message;
      }
    };
    expect(refused({ signingSecret: 99999999 })).toBe('webhookJobHandler: signingSecret must be a string, got a number');
    expect(refused({ headers: { Authorization: 123456 } })).toBe('webhookJobHandler: headers.Authorization must be a string, got a number');
    // A function's source could hold a token: it is named as a function, once.
    expect(refused({ signingSecret: () => 'sk_live_abc' })).toBe('webhookJobHandler: signingSecret must be a string, got a function');
  });
});
