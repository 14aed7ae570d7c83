/**
 * Job records as Redis holds them (format in lua/includes/lib.lua) read back field by field, and a
 * damaged one (cut short, a missing separator, an unknown status) reads as no job, not as a wrong one
 * or a crash of its reader (console, CLI); one a claim leases all the same fails it, naming the job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { RedisQueue } from '../../src/index.js';
import { parseRecord } from '../../src/engine/codec.js';
import { freshQueue, rawClient } from '../helpers.js';

describe('parseRecord', () => {
  it('reads a new job, a moved one and a grouped one', () => {
    expect(parseRecord('p|honhosjyi2|3||||4|mail{"to":"x"}')).toEqual({
      s: 'pending', a: undefined, q: undefined, e: undefined, r: undefined, c: String(parseInt('honhosjyi2', 36)),
      m: '3', p: undefined, w: undefined, o: undefined, type: 'mail', payload: '{"to":"x"}', group: undefined,
    });
    expect(parseRecord('c1,2,1796066781402087,|honhosjyi2|3||||4|mail{}')).toMatchObject({
      s: 'completed', a: '1', q: '2', e: '1796066781402087', r: undefined, type: 'mail', payload: '{}',
    });
    expect(parseRecord('p,,,1796066841371|honhosk3ph|3||60000||4|mail{}')).toMatchObject({ a: undefined, r: '1796066841371', w: '60000' });
    expect(parseRecord('p|honhosk0oq|3|3||500|4,g1|mail{}')).toMatchObject({ p: '3', o: '500', group: 'g1', type: 'mail', payload: '{}' });
    // A type holding `,` and `|` is cut by its length, not by separators.
    expect(parseRecord('p|1|3||||5|a,b|c{"k":1}')).toMatchObject({ type: 'a,b|c', payload: '{"k":1}', group: undefined });
  });

  it('reads a damaged record as none', () => {
    for (const damaged of [
      '', 'p', 'z|honhosjyi2|3||||4|mail{}', 'p|honhosjyi2|3||||4', 'p|honhosjyi2|3|||', 'c1,2|honhosjyi2|3||||4|mail{}',
      'c1,2,3|honhosjyi2|3||||4|mail{}', 'c1,2|3,4|honhosjyi2|3||||4,g|mail{}',
    ]) {
      expect(parseRecord(damaged), JSON.stringify(damaged)).toBeNull();
    }
  });
});

describe('a damaged record in Redis', () => {
  let queue: RedisQueue;
  let prefix: string;
  let cleanup: () => Promise<void>;
  let raw: Redis;
  beforeAll(async () => {
    ({ queue, prefix, cleanup } = await freshQueue('damaged'));
    raw = rawClient();
  });
  afterAll(async () => {
    raw.disconnect();
    await cleanup();
  });

  it('reads as no job through getJob, and the others of the queue still read', async () => {
    const [broken, fine] = await queue.pushBulk([{ type: 't', payload: {} }, { type: 't', payload: { ok: 1 } }]);
    await raw.hset(`${prefix}:{damaged}:jobs`, broken!.id, 'p|cut short');
    expect(await queue.getJob(broken!.id)).toBeNull();
    expect(await queue.getJob(fine!.id)).toMatchObject({ status: 'pending', payload: { ok: 1 } });
  });

  it('that a claim leases fails the claim, naming the job, rather than running a job without a type', async () => {
    // Claimable as far as the claim script reads it (status, creation, attempts), cut short after.
    await queue.pop(); // the job left from the test above
    const job = await queue.push({ type: 't', payload: {} });
    const record = (await raw.hget(`${prefix}:{damaged}:jobs`, job.id))!;
    await raw.hset(`${prefix}:{damaged}:jobs`, job.id, record.slice(0, record.lastIndexOf('|')));
    await expect(queue.pop()).rejects.toThrow(`claimed job ${job.id} has a malformed record`);
  });
});
