import { describe, expect, it } from 'vitest';
import { ConnectionError } from '../../src/engine/errors.js';
import { CliUsageError } from '../../src/cli/cli-errors.js';
import { connectQueues, explainConnectError } from '../../src/host/queue-set.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers.js';
import { parse } from './config-helpers.js';

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

describe('connectQueues', () => {
  it('picks a configured queue by name (the first by default) and refuses others, naming the configured ones', async () => {
    const prefix = uniquePrefix('queue-set');
    const config = parse(`[redis]\nurl = "${REDIS_URL}"\nprefix = "${prefix}"\n[queues.main]\nmaxRetries = 4\n[queues.mail]\nmaxRetries = 2\n`);
    const set = await connectQueues(config.redis, config.queues);
    try {
      expect(set.queues.map((q) => q.name)).toEqual(['main', 'mail']);
      expect(set.get().name).toBe('main');
      expect(set.get('mail')).toBe(set.queues[1]);
      expect(set.settings('mail').maxRetries).toBe(2);
      expect(() => set.get('nope')).toThrow(new CliUsageError("queue 'nope' is not in the config (configured: main, mail)"));
      expect(() => set.settings('nope')).toThrow(CliUsageError);
      expect((await set.get('mail').push({ type: 't' })).maxAttempts).toBe(2);
    } finally {
      await set.close();
      await deletePrefix(prefix);
    }
    await expect(set.get('main').push({ type: 't' })).rejects.toThrow(/closed/);
    await expect(set.get('mail').push({ type: 't' })).rejects.toThrow(/closed/);
  });

  it('names the database of the url when no db is set', () => {
    const refused = new Error('ERR DB index is out of range');
    const explained = explainConnectError(refused, { url: 'redis://h:1/40', prefix: 'flexq', connectTimeout: 1_000 }) as Error;
    expect(explained.message).toMatch(/^Redis at h:1 has no such database \(the one its url names\): DB index out of range/);
  });

  it('opens a queue found in Redis with the shard count it was used with, not the first configured queue\'s', async () => {
    const prefix = uniquePrefix('queue-set');
    const config = parse(`[redis]\nurl = "${REDIS_URL}"\nprefix = "${prefix}"\n[queues.main]\nshards = 3\n`);
    const producers = await connectQueues(config.redis, parse(`[redis]\nurl = "${REDIS_URL}"\nprefix = "${prefix}"\n[queues.plain]\n[queues.wide]\nshards = 2\n`).queues);
    try {
      const plain = await producers.get('plain').push({ type: 't' });
      const wide = await producers.get('wide').pushBulk([{ type: 't' }, { type: 't' }]);
      const console = await connectQueues(config.redis, config.queues, 'add');
      try {
        expect(console.queues.map((q) => [q.name, q.shardCount])).toEqual([['main', 3], ['plain', 1], ['wide', 2]]);
        expect((await console.get('plain').getJob(plain.id))?.id).toBe(plain.id);
        expect((await console.get('wide').getStats()).pendingJobs).toBe(2);
        expect((await console.get('wide').getJob(wide[1]!.id))?.id).toBe(wide[1]!.id);
      } finally {
        await console.close();
      }
    } finally {
      await producers.close();
      await deletePrefix(prefix);
    }
  });
});
