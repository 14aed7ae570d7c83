/**
 * An idle worker's wait on its queue's wake marker (src/engine/wake-waiter.ts) and on those of all
 * its shards (shard-waiter.ts), driven as the worker drives them, with its hooks set by the test:
 * the BLPOPs go through a proxy that counts them. A wait ends on a marker, an interruption or ten
 * quiet polls; one BLPOP is open at a time; a marker a leftover BLPOP takes is kept for the next
 * wait when a slot is free, else handed back to Redis for another worker.
 */
import { pino } from 'pino';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { duplicateClient, openClient, type RedisClient } from '../../src/engine/connection.js';
import { queueKeys } from '../../src/engine/keys.js';
import { Reachability } from '../../src/engine/reachability.js';
import { openIdleWaiter } from '../../src/engine/shard-waiter.js';
import { QueueStore } from '../../src/engine/store.js';
import { WakeWaiter } from '../../src/engine/wake-waiter.js';
import { startFaultProxy, type FaultProxy } from '../fault-proxy.js';
import { REDIS_URL, deletePrefix, rawClient, uniquePrefix, waitFor } from '../helpers.js';
import { KEEP_ALL } from './scripts/harness.js';

const POLL_MS = 100;
/** Long enough for a leftover BLPOP to be open still when the test pushes a marker. */
const LONG_POLL_MS = 30_000;
const never = new Promise<void>(() => {});

let proxy: FaultProxy;
let client: RedisClient;
let raw: ReturnType<typeof rawClient>;
let prefix: string;
let role: string;
/** Two shards' stores (a plain queue uses the first). */
let stores: QueueStore[];
let blocking: RedisClient[];
/** The worker as the waiter sees it, and how often the waiter woke its loop. */
const hooks = { isRunning: true, freeSlot: true, wakes: 0, running: () => hooks.isRunning, hasFreeSlot: () => hooks.freeSlot, wakeLoop: () => void hooks.wakes++ };
let logged: string[];
let reachability: Reachability;
let blpops: () => number;

beforeEach(async () => {
  proxy = await startFaultProxy({ host: '127.0.0.1', port: Number(new URL(REDIS_URL).port || 6379) });
  client = await openClient({ url: proxy.url }, 'test-wake');
  raw = rawClient();
  prefix = uniquePrefix('wake');
  role = `${prefix}:wait`;
  stores = ['q', 'q#1'].map((tag) => new QueueStore(client, queueKeys(prefix, tag), KEEP_ALL));
  blocking = [];
  Object.assign(hooks, { isRunning: true, freeSlot: true, wakes: 0 });
  logged = [];
  reachability = new Reachability(pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line).msg) }));
  blpops = proxy.countCallsTo('blpop');
});

afterEach(async () => {
  for (const connection of [...blocking, client]) connection.disconnect();
  raw.disconnect();
  await proxy.close();
  await deletePrefix(prefix);
});

/** A waiter on the first shard's wake list, with a blocking connection of its own. */
function newWaiter(pollTime = POLL_MS): WakeWaiter {
  const connection = duplicateClient(client, role);
  connection.on('error', () => {});
  blocking.push(connection);
  return new WakeWaiter(stores[0]!, connection, pollTime, reachability, hooks);
}

const markersOn = (shard: number) => raw.llen(stores[shard]!.keys.wake);
/** BLPOPs blocked now on this test's blocking connections. */
async function openWaits(): Promise<number> {
  const list = (await raw.client('LIST')) as string;
  return list.split('\n').filter((line) => line.includes(`name=flexq:${role} `) && line.includes(' flags=b ') && line.includes('cmd=blpop')).length;
}

test('a wait ends when a marker arrives, which it takes', async () => {
  const idle = newWaiter().idle(never);
  await waitFor('the wait to block', async () => (await openWaits()) === 1);
  await stores[0]!.wakeWorkers();
  await idle;
  expect(await markersOn(0)).toBe(0);
  expect(hooks.wakes, 'a marker met while waiting is not a leftover').toBe(0);
});

test('a quiet wait ends after ten polls of pollTime, one BLPOP each', async () => {
  await newWaiter().idle(never);
  expect(blpops()).toBe(10);
});

test('a worker that is not running does not wait', async () => {
  hooks.isRunning = false;
  await newWaiter().idle(never);
  expect(blpops()).toBe(0);
});

test('an interrupted wait returns at once and leaves its BLPOP open for the next: one BLPOP at a time', async () => {
  const waiter = newWaiter(LONG_POLL_MS);
  for (let n = 0; n < 3; n++) await waiter.idle(Promise.resolve());
  await waitFor('the BLPOP to block', async () => (await openWaits()) === 1);
  expect(blpops()).toBe(1);
});

test('a marker a leftover BLPOP takes is kept for the next wait when a slot is free', async () => {
  const waiter = newWaiter(LONG_POLL_MS);
  await waiter.idle(Promise.resolve());
  await waitFor('the leftover BLPOP to block', async () => (await openWaits()) === 1);
  await stores[0]!.wakeWorkers();
  await waitFor('the worker to be woken', () => hooks.wakes === 1);
  expect(await markersOn(0)).toBe(0);
  // The kept marker ends the next wait without a BLPOP; the one after waits again.
  await waiter.idle(never);
  expect(blpops()).toBe(1);
  const idle = waiter.idle(never);
  await waitFor('a new wait to block', async () => (await openWaits()) === 1);
  await stores[0]!.wakeWorkers();
  await idle;
  expect(blpops()).toBe(2);
});

test('a wait that ended, by a marker or an interruption, keeps nothing: the next wait blocks for its own marker', async () => {
  const waiter = newWaiter(LONG_POLL_MS);
  const first = waiter.idle(never);
  await waitFor('the first wait to block', async () => (await openWaits()) === 1);
  await stores[0]!.wakeWorkers();
  await first;
  await expectNextWaitBlocks(waiter);
  expect(blpops()).toBe(2);
  await waiter.idle(Promise.resolve());
  await expectNextWaitBlocks(waiter);
  expect(blpops()).toBe(3);
});

/** The waiter's next wait does not end before a marker is pushed, which ends it. */
async function expectNextWaitBlocks(waiter: WakeWaiter): Promise<void> {
  let ended = false;
  const next = waiter.idle(never).then(() => (ended = true));
  await waitFor('the next wait to block', async () => (await openWaits()) === 1);
  expect(ended).toBe(false);
  await stores[0]!.wakeWorkers();
  await next;
}

for (const [state, set] of [['every slot is busy', () => (hooks.freeSlot = false)], ['the worker is stopping', () => (hooks.isRunning = false)]] as const) {
  test(`a marker a leftover BLPOP takes goes back to Redis for another worker when ${state}`, async () => {
    await newWaiter(LONG_POLL_MS).idle(Promise.resolve());
    await waitFor('the leftover BLPOP to block', async () => (await openWaits()) === 1);
    set();
    await stores[0]!.wakeWorkers();
    await waitFor('the marker to be handed back', async () => (await openWaits()) === 0 && (await markersOn(0)) === 1);
    expect(hooks.wakes).toBe(0);
  });
}

test('a wait whose connection fails reports Redis unreachable and ends; one failing while the worker stops reports nothing', async () => {
  const idle = newWaiter().idle(never);
  await waitFor('the wait to block', async () => (await openWaits()) === 1);
  const failedAt = performance.now();
  blocking[0]!.disconnect();
  await idle;
  expect(logged).toEqual(['Redis unreachable: worker paused until it answers again']);
  // After a pause of pollTime, not at once: a broken connection must not spin the worker's claims.
  expect(performance.now() - failedAt).toBeGreaterThanOrEqual(POLL_MS - 5);
  reachability.reachable();
  logged = [];
  const quiet = newWaiter();
  const stopping = quiet.idle(never);
  await waitFor('the second wait to block', async () => (await openWaits()) === 1);
  hooks.isRunning = false;
  blocking[1]!.disconnect();
  await stopping;
  expect(logged).toEqual([]);
});

test('an idle worker of two shards waits on both; a marker on either ends the wait', async () => {
  for (const shard of [0, 1]) {
    const waiter = openIdleWaiter(stores, client, role, LONG_POLL_MS, reachability, hooks);
    try {
      const idle = waiter.idle(never);
      await waitFor('a wait on each shard', async () => (await openWaits()) === 2);
      await stores[shard]!.wakeWorkers();
      await idle;
      expect(await markersOn(shard)).toBe(0);
    } finally {
      hooks.isRunning = false;
      waiter.close();
      hooks.isRunning = true;
    }
    await waitFor('the waits to close', async () => (await openWaits()) === 0);
  }
});

test('once a wait of two shards has ended, a marker the other shard\'s BLPOP takes is a leftover: kept or handed back', async () => {
  const waiter = openIdleWaiter(stores, client, role, LONG_POLL_MS, reachability, hooks);
  try {
    const idle = waiter.idle(never);
    await waitFor('a wait on each shard', async () => (await openWaits()) === 2);
    await stores[0]!.wakeWorkers();
    await idle;
    hooks.freeSlot = false;
    await waitFor("shard 1's BLPOP still open", async () => (await openWaits()) === 1);
    await stores[1]!.wakeWorkers();
    await waitFor('the marker to be handed back to shard 1', async () => (await openWaits()) === 0 && (await markersOn(1)) === 1);
    expect(hooks.wakes).toBe(0);
  } finally {
    hooks.isRunning = false;
    waiter.close();
  }
});

test('an interrupted wait of two shards returns at once; close drops its connections', async () => {
  const waiter = openIdleWaiter(stores, client, role, LONG_POLL_MS, reachability, hooks);
  await waiter.idle(Promise.resolve());
  await waitFor('a wait on each shard', async () => (await openWaits()) === 2);
  hooks.isRunning = false; // as a stopping worker closes it
  waiter.close();
  await waitFor('the waits to close', async () => (await openWaits()) === 0);
  expect(logged, 'a closed wait of a stopping worker is no outage').toEqual([]);
});

test("a blocking connection's errors are not printed to the console: they surface where the wait is awaited", async () => {
  const printed = vi.spyOn(console, 'error');
  const waiter = openIdleWaiter(stores, client, role, LONG_POLL_MS, reachability, hooks);
  try {
    void waiter.idle(never);
    await waitFor('a wait on each shard', async () => (await openWaits()) === 2);
    proxy.resetAll();
    await waitFor('the waits to be open again', async () => (await openWaits()) === 2);
    expect(printed).not.toHaveBeenCalled();
  } finally {
    printed.mockRestore();
    hooks.isRunning = false;
    waiter.close();
  }
});
