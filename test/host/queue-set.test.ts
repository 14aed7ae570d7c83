import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../src/engine/errors.js';
import { explainConnectError } from '../../src/host/queue-set.js';

describe('explainConnectError', () => {
  const redis = { addr: '127.0.0.1:6379', db: 20, prefix: 'flexq', connectTimeout: 1_000 };

  it('turns Redis refusing the db into a message naming the db and what to change', () => {
    const refused = new ConnectionError('connect', 'cannot reach Redis at 127.0.0.1:6379: ERR DB index is out of range');
    const explained = explainConnectError(refused, redis) as Error;
    expect(explained.message).toBe(
      'Redis at 127.0.0.1:6379 has no db 20: DB index out of range (set [redis] db or FLEXQ_REDIS_DB below the server\'s "databases" setting, 16 by default)',
    );
    expect(explained.cause).toBe(refused);
  });

  it('leaves other errors as they are', () => {
    const unreachable = new ConnectionError('connect', 'cannot reach Redis at 127.0.0.1:1: connect ECONNREFUSED');
    expect(explainConnectError(unreachable, redis)).toBe(unreachable);
  });
});
