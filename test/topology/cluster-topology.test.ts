/**
 * Part of the `cluster` project: proves that the engine tests there really run on the cluster,
 * with a queue's keys in one slot and flexq's functions on every primary.
 */
import { Cluster } from 'ioredis';
import { expect, it } from 'vitest';
import { CLUSTER_NODES, freshQueue, rawClient } from '../helpers.js';
import { LIBRARY_NAME } from '../../src/engine/library.js';

it('runs on a cluster: the functions are on every primary, and a queue lives in one slot', async () => {
  expect(CLUSTER_NODES?.length).toBe(6);
  const { queue, prefix, cleanup } = await freshQueue('topo');
  const raw = rawClient() as unknown as Cluster;
  try {
    await queue.pushBulk([{ type: 't' }, { type: 't', delay: 60_000 }]);
    if (raw.status !== 'ready') await new Promise((resolve) => raw.once('ready', resolve));
    const masters = raw.nodes('master');
    expect(masters).toHaveLength(3);
    for (const node of masters) expect(await node.call('FUNCTION', 'LIST', 'LIBRARYNAME', LIBRARY_NAME)).toHaveLength(1);
    const slots = new Set<number>();
    for (const node of masters) {
      const [, keys] = await node.scan('0', 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      // The registry of queue names and the data format mark are the prefix's own keys, outside every queue's slot.
      for (const key of keys.filter((name) => name !== `${prefix}:queues` && name !== `${prefix}:format`)) slots.add(Number(await node.cluster('KEYSLOT', key)));
    }
    expect(slots.size).toBe(1);
  } finally {
    raw.disconnect();
    await cleanup();
  }
});

it('a primary that lost the library (FUNCTION FLUSH) gets it again on the next call, which the caller never sees fail', async () => {
  const { queue, cleanup } = await freshQueue('flushed');
  const raw = rawClient() as unknown as Cluster;
  try {
    if (raw.status !== 'ready') await new Promise((resolve) => raw.once('ready', resolve));
    for (const node of raw.nodes('master')) await node.call('FUNCTION', 'FLUSH');
    const job = await queue.push({ type: 't' });
    expect(await queue.getJobStatus(job.id)).toBe('pending');
    for (const node of raw.nodes('master')) expect(await node.call('FUNCTION', 'LIST', 'LIBRARYNAME', LIBRARY_NAME)).toHaveLength(1);
  } finally {
    raw.disconnect();
    await cleanup();
  }
});
