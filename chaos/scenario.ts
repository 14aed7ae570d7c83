/** What every chaos scenario sets up: a queue under a prefix of its own, a ledger, and clean-up. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { RedisQueue } from '../src/index.js';
import { Ledger } from './ledger.js';

export interface Scenario {
  prefix: string;
  queue: RedisQueue;
  ledger: Ledger;
  /** Env for chaos/worker-process.mjs serving this scenario's queue. */
  workerEnv: Record<string, string>;
  close(): Promise<void>;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` every 20 ms until it holds; false once `timeoutMs` passed. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await sleep(20);
  }
  return false;
}

export async function openScenario(name: string, redisUrl: string): Promise<Scenario> {
  const prefix = `flexq-chaos-${name}-${randomBytes(4).toString('hex')}`;
  // A long event feed: scenarios read every event of their run back to check its order.
  const queue = await RedisQueue.connect('chaos', {
    url: redisUrl, prefix, keepCompleted: { count: 1_000_000 }, retryDelays: [50], eventsMaxLen: 1_000_000,
  });
  const dir = mkdtempSync(join(tmpdir(), `flexq-chaos-${name}-`));
  const ledger = new Ledger(join(dir, 'ledger.txt'));
  return {
    prefix,
    queue,
    ledger,
    workerEnv: { REDIS_URL: redisUrl, PREFIX: prefix, QUEUE: 'chaos', LEDGER: ledger.path },
    close: async () => {
      await queue.close();
      await deleteKeys(redisUrl, prefix).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Removes every key under `prefix`, and nothing else. */
async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const client = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

/** Stores `count` jobs of type "work" in chunks; returns their ids. */
export async function pushWork(queue: RedisQueue, count: number, payload: Record<string, unknown> = {}): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < count; done += 5_000) {
    const jobs = await queue.pushBulk(Array.from({ length: Math.min(5_000, count - done) }, () => ({ type: 'work', payload, maxAttempts: 1_000 })));
    ids.push(...jobs.map((job) => job.id));
  }
  return ids;
}
