/** HostMetrics on its own: a queue whose stats cannot be read leaves the scrape working. */
import { expect, test } from 'vitest';
import { HostMetrics } from '../../src/host/metrics.js';
import { RedisQueue } from '../../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers.js';

test('a queue that cannot answer is left out of flexq_queue_jobs; the others are still reported', async () => {
  const prefix = uniquePrefix('metrics-source');
  const open = await RedisQueue.connect('open', { url: REDIS_URL, prefix });
  const closed = open.queue('closed');
  try {
    await closed.close();
    await open.push({ type: 't' });
    const metrics = new HostMetrics({ queues: [closed, open], pool: () => [{ queue: 'open', busy: 2, concurrency: 5 }] });
    const text = await metrics.text();
    expect(text).toContain('flexq_queue_jobs{queue="open",state="pending"} 1');
    expect(text).not.toContain('queue="closed"');
    expect(text).toContain('flexq_worker_busy{queue="open"} 2');
    expect(text).toContain('flexq_worker_concurrency{queue="open"} 5');
    expect(metrics.contentType).toMatch(/^text\/plain/);
  } finally {
    await open.close();
    await deletePrefix(prefix);
  }
});
