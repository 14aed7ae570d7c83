/**
 * A worker tells of a Redis outage once and of its end once, however many calls fail or succeed in
 * between (README: "a worker reports the loss once, pauses, and resumes by itself").
 */
import { createServer, type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { Reachability } from '../../src/engine/reachability.js';
import { CallCutOffError, ConnectionError, RedisQueue } from '../../src/index.js';
import { freePort, startPrivateRedis } from '../helpers.js';

it('logs each change between reachable and unreachable once, a lost connection by its reason and any other error whole', () => {
  const lines: { level: number; msg: string; err?: { message: string }; reason?: string }[] = [];
  const reachability = new Reachability(pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }));
  reachability.reachable(); // up already: nothing to say
  reachability.unreachable(new Error('ECONNREFUSED'));
  reachability.unreachable(new Error('ECONNREFUSED again'));
  reachability.reachable();
  reachability.reachable();
  reachability.unreachable(new Error('Connection is closed.'));
  reachability.reachable();
  reachability.unreachable(new Error('LOADING Redis is loading the dataset in memory'));
  reachability.reachable();
  reachability.unreachable(new CallCutOffError('claimJobs', '127.0.0.1:6379', 'the connection was closed', new Error('Connection is closed.')));
  expect(lines.map(({ level, msg, err, reason }) => [level, msg, reason, err?.message])).toEqual([
    [50, 'Redis unreachable: worker paused until it answers again', 'ECONNREFUSED', undefined],
    [30, 'Redis reachable again: worker resumed', undefined, undefined],
    [50, 'Redis unreachable: worker paused until it answers again', 'the connection was closed', undefined],
    [30, 'Redis reachable again: worker resumed', undefined, undefined],
    [50, 'Redis unreachable: worker paused until it answers again', undefined, 'LOADING Redis is loading the dataset in memory'],
    [30, 'Redis reachable again: worker resumed', undefined, undefined],
    [50, 'Redis unreachable: worker paused until it answers again', 'the connection was closed', undefined],
  ]);
});

it('a queue call Redis stops answering rejects with a CallCutOffError: a ConnectionError naming the address and the call', async () => {
  const redis = await startPrivateRedis(await freePort());
  const queue = await RedisQueue.connect('cut', { url: redis.url, prefix: 'cut' });
  // A push that waits for a replica goes as a pipeline, whose errors come inside its reply.
  const replicated = await RedisQueue.connect('cut', { url: redis.url, prefix: 'cut', durability: 'replicated' });
  try {
    await queue.push({ type: 'a', payload: {} });
    await redis.stop();
    const calls = [() => queue.push({ type: 'a', payload: {} }), () => queue.getJob('a1'), () => queue.getStats(), () => replicated.push({ type: 'a', payload: {} })];
    for (const call of calls) {
      const error = await call().then(() => null, (err: unknown) => err);
      expect(error).toBeInstanceOf(CallCutOffError);
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: 'CONNECTION', reason: expect.stringMatching(/connection/) });
      expect((error as Error).message).toMatch(new RegExp(`^\\w+: Redis at 127\\.0\\.0\\.1:${redis.port} stopped answering \\(.+\\): it may not have been carried out$`));
      expect((error as Error).message).not.toMatch(/maxRetriesPerRequest/);
    }
  } finally {
    await queue.close();
    await replicated.close();
  }
}, 40_000);

it('a Sentinel that cannot be reached fails the connect naming it, without ioredis\'s retry wording or a TLS hint', async () => {
  // Accepts and closes at once, as a port with nothing Redis-like behind it.
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const error = await RedisQueue.connect('s', { sentinel: { name: 'mymaster', nodes: [`127.0.0.1:${port}`] }, connectTimeout: 1_500 }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(new RegExp(`^cannot reach Redis at .*mymaster.*127\\.0\\.0\\.1:${port}: All sentinels are unreachable\\.`));
    expect((error as Error).message).not.toMatch(/Retrying|TLS/);
  } finally {
    server.close();
  }
});
