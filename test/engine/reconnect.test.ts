/**
 * Redis going away is an outage, not a crash: a running worker waits it out and picks work up again
 * by itself once Redis is back. And a connect to an address where nothing listens fails fast,
 * naming the address, without leaving anything that keeps the process alive.
 */
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, RedisQueue, RedisWorker } from '../../src/index.js';
import { freePort, startPrivateRedis, uniquePrefix, waitFor, type PrivateRedis } from '../helpers.js';
import { requireBuild, startChild } from './processes.js';

const CONNECT_REFUSED = fileURLToPath(new URL('../fixtures/connect-refused.mjs', import.meta.url));

describe('a worker across a Redis restart', () => {
  let port: number;
  let server: PrivateRedis | undefined;
  let queue: RedisQueue | undefined;
  let worker: RedisWorker | undefined;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    port = await freePort();
    server = await startPrivateRedis(port);
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await worker?.stop({ timeout: 2_000 });
    await queue?.close();
    await server?.stop('SIGTERM');
  });

  it('keeps running while Redis is down and processes new jobs once it is back', async () => {
    queue = await RedisQueue.connect('reconnect', { addr: `127.0.0.1:${port}`, prefix: uniquePrefix('reconnect') });
    const processed: string[] = [];
    const logged: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line).msg as string) });
    const saw = (text: string) => logged.some((msg) => msg.includes(text));
    worker = new RedisWorker(queue, { pollTime: 200, visibilityTimeout: 2_000, logger });
    worker.registerHandler('note', (_ctx, job) => {
      processed.push(String(job.payload.n));
      return { success: true };
    });
    const stopped = worker.start();
    let workerResolved = false;
    void stopped.then(() => (workerResolved = true));

    const first = await queue.push({ type: 'note', payload: { n: 1 } });
    await waitFor('the first job to complete', async () => (await queue!.getJobStatus(first.id)) === 'completed');

    await server!.stop('SIGTERM');
    // Outage: the worker's claims and blocked waits fail, and it says so rather than crash.
    await waitFor('the worker to report Redis unreachable', () => saw('Redis unreachable'));
    expect(worker.isRunning()).toBe(true);
    expect(workerResolved).toBe(false);

    server = await startPrivateRedis(port);
    // The restarted server is empty (no persistence): the queue's client reconnects by itself.
    await waitFor('the queue to reach Redis again', async () => {
      try {
        await queue!.getStats();
        return true;
      } catch {
        return false;
      }
    }, { timeoutMs: 15_000, intervalMs: 100 });
    const second = await queue.push({ type: 'note', payload: { n: 2 } });
    await waitFor('the second job to complete', async () => (await queue!.getJobStatus(second.id)) === 'completed', { timeoutMs: 15_000 });

    expect(processed).toEqual(['1', '2']);
    expect(saw('Redis reachable again')).toBe(true);
    expect(worker.isRunning()).toBe(true);
    expect(unhandled).toEqual([]);
  });
});

/** A TCP listener that accepts connections and never answers: Redis "reachable" but hung. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Where connect is pointed: a closed port (refused at once) or a listener that never answers. */
const UNREACHABLE = {
  'nothing listens': async () => ({ port: await freePort(), close: async () => {} }),
  'the listener never answers': silentServer,
} as const;

describe.each(Object.keys(UNREACHABLE) as (keyof typeof UNREACHABLE)[])('RedisQueue.connect where %s', (kind) => {
  const CONNECT_TIMEOUT = 1_000;
  let target: { port: number; close: () => Promise<void> };

  beforeAll(async () => {
    requireBuild();
    target = await UNREACHABLE[kind]();
  });
  afterAll(() => target.close());

  it('rejects within connectTimeout (plus scheduling slack) with a ConnectionError naming the address', async () => {
    const outcome = await Promise.race([
      RedisQueue.connect('default', { addr: `127.0.0.1:${target.port}`, connectTimeout: CONNECT_TIMEOUT }).then(
        async (queue) => {
          await queue.close();
          return 'connected' as const;
        },
        (err: unknown) => err,
      ),
      // A deadline, not a measurement: the point is that connect never hangs.
      new Promise((resolve) => setTimeout(() => resolve('still waiting'), CONNECT_TIMEOUT + 1_000).unref()),
    ]);
    expect(outcome).toBeInstanceOf(ConnectionError);
    expect((outcome as ConnectionError).message).toContain(`127.0.0.1:${target.port}`);
    expect((outcome as ConnectionError).code).toBe('CONNECTION');
  });

  it('leaves no socket or timer behind, so a process whose only work was the failed connect exits by itself', async () => {
    const child = startChild(process.execPath, [CONNECT_REFUSED], {
      FLEXQ_ADDR: `127.0.0.1:${target.port}`, FLEXQ_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT),
    });
    try {
      const reply = JSON.parse(await child.line(/^\{/)) as { name?: string; code?: string; message?: string; handles: string[] };
      expect(reply).toMatchObject({ name: 'ConnectionError', code: 'CONNECTION' });
      expect(reply.message).toContain(`127.0.0.1:${target.port}`);
      expect(reply.handles, 'what keeps the event loop alive after the failed connect').toEqual([]);
      await waitFor('the process to exit on its own', () => child.hasExited(), { timeoutMs: 10_000 });
      expect(await child.exited).toEqual({ code: 0, signal: null });
    } finally {
      await child.stop('SIGKILL');
    }
  });
});
