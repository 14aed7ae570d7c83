import { afterEach, describe, expect, it } from 'vitest';
import { RedisQueue, RedisWorker } from '../../src/index.js';
import { openConsole, type HostView } from '../../src/tui/index.js';
import { FakeStdin, FakeStdout } from './fake-terminal.js';
import { LogBuffer } from './harness.js';
import { REDIS_URL, deletePrefix, freePort, startPrivateRedis, uniquePrefix, waitFor } from '../helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** ANSI-free text of a frame (the fake terminal receives what a real one would). */
const plain = (frame: string) => frame.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

function hostView(queue: RedisQueue, worker: RedisWorker | undefined, logs: LogBuffer, address: string): HostView {
  return {
    queues: [queue], redisAddress: address, logs,
    pool: () => (worker ? [{ queue: queue.name, busy: worker.activeJobs, concurrency: worker.numWorkers }] : []),
    connectionState: () => 'connected',
    inFlight: () => worker?.activeJobs ?? 0,
    stop: async () => worker?.stop(),
  };
}

/** A queue under a fresh prefix with a started worker of `numWorkers` slots for one job type, as a host runs them. */
async function hostedQueue(label: string, numWorkers: number, type: string, handler: Parameters<RedisWorker['registerHandler']>[1]) {
  const prefix = uniquePrefix(label);
  const queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix });
  cleanups.push(async () => { await queue.close(); await deletePrefix(prefix); });
  const logs = new LogBuffer();
  const worker = new RedisWorker(queue, { numWorkers, pollTime: 100, logger: logs.logger });
  worker.registerHandler(type, handler);
  void worker.start();
  return { queue, worker, logs };
}

async function open(view: HostView, stdout: FakeStdout, stdin: FakeStdin) {
  let done = false;
  const closed = openConsole(view, {
    readOnly: false, noColor: true, dataSource: { pollMs: 100 }, debug: true, patchConsole: false,
    stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream,
  }).then(() => {
    done = true;
  });
  const frame = (check: (f: string) => boolean, what: string, timeoutMs = 8_000) =>
    waitFor(what, () => (check(plain(stdout.lastFrame())) ? plain(stdout.lastFrame()) : null), { timeoutMs, intervalMs: 20 })
      .catch((err: Error) => { throw new Error(`${err.message}\n--- last frame ---\n${plain(stdout.lastFrame())}`); });
  return { closed, isDone: () => done, frame };
}

describe('openConsole', () => {
  it('q says how many jobs are in flight and resolves only once they finished', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { queue, worker, logs } = await hostedQueue('tui-quit', 2, 'held', async () => { await gate; return { success: true }; });
    cleanups.push(() => worker.stop({ timeout: 100 }));
    const job = await queue.push({ type: 'held' });
    await waitFor('running', () => worker.activeJobs === 1);
    const stdout = new FakeStdout(80, 24);
    const stdin = new FakeStdin();
    const c = await open(hostView(queue, worker, logs, 'localhost:6379'), stdout, stdin);
    await c.frame((f) => f.includes('pool 1/2'), 'the header with the busy pool');
    stdin.write('q');
    await c.frame((f) => f.includes('Quitting: waiting for 1 job in flight'), 'the quit notice');
    expect(c.isDone()).toBe(false);
    expect(worker.isRunning()).toBe(true);
    release();
    await c.closed;
    expect(await queue.getJobStatus(job.id)).toBe('completed');
    expect(worker.isRunning()).toBe(false);
  });

  it('a key Ink cannot name (Ctrl+F1) or colour codes pasted into a prompt are dropped: the console and its workers run on', async () => {
    const { queue, worker, logs } = await hostedQueue('tui-keys', 1, 'noop', () => ({ success: true }));
    cleanups.push(() => worker.stop({ timeout: 100 }));
    const stdout = new FakeStdout(100, 24);
    const stdin = new FakeStdin();
    const c = await open(hostView(queue, worker, logs, 'localhost:6379'), stdout, stdin);
    cleanups.push(async () => { stdin.write('q'); await c.closed; });
    await c.frame((f) => f.includes('pool 0/1'), 'the header');
    stdin.write('\u001B[1;5P'); // Ctrl+F1
    stdin.write('/');
    await c.frame((f) => f.includes('search ('), 'the search prompt');
    stdin.write('fail\u001B[31mred\u001B[0m');
    await c.frame((f) => f.includes('failred'), 'the pasted text without its colour codes');
    stdin.write('\u001B');
    const job = await queue.push({ type: 'noop' });
    await waitFor('the worker to run on', async () => (await queue.getJobStatus(job.id)) === 'completed');
    expect(c.isDone()).toBe(false);
  });

  it('at 40×10 the header stays on the top line and the page count matches the job rows drawn', async () => {
    const prefix = uniquePrefix('tui-small');
    const queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix });
    cleanups.push(async () => { await queue.close(); await deletePrefix(prefix); });
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await queue.push({ type: 'demo' })).id);
    const stdout = new FakeStdout(40, 10);
    const stdin = new FakeStdin();
    const c = await open(hostView(queue, undefined, new LogBuffer(), '127.0.0.1:6379'), stdout, stdin);
    cleanups.push(async () => { stdin.write('q'); await c.closed; });
    const drawn = (f: string) => ids.filter((id) => f.includes(id)).length;
    let frame = await c.frame((f) => drawn(f) > 0 && /page \d+\/\d+/.test(f), 'job rows');
    // Fewer lines than the terminal has: a frame as tall as it scrolls the top line away.
    expect(frame.split('\n').length).toBeLessThan(10);
    expect(frame.split('\n')[0]).toMatch(/^flexq 127\.0\.0\.1:6379 ● connected/);
    expect(frame).toContain('page 1/2');
    expect(drawn(frame)).toBe(2);
    // Too short for even one job row: the panes are cut, the header stays.
    stdout.resize(40, 7);
    frame = await c.frame((f) => drawn(f) === 0, 'no room for job rows');
    expect(frame.split('\n').length).toBeLessThan(7);
    expect(frame.split('\n')[0]).toMatch(/^flexq /);
    expect(frame).toContain('? help');
  });

  it('fits 80×24, follows a resize, and shows a banner while Redis is away, then recovers', async () => {
    const port = await freePort();
    let server = await startPrivateRedis(port);
    cleanups.push(() => server.stop('SIGKILL'));
    const url = `redis://127.0.0.1:${port}`;
    const queue = await connectWhenUp(url);
    cleanups.push(async () => { await queue.close().catch(() => {}); });
    await queue.push({ type: 'before' });
    const stdout = new FakeStdout(80, 24);
    const stdin = new FakeStdin();
    const c = await open(hostView(queue, undefined, new LogBuffer(), `127.0.0.1:${port}`), stdout, stdin);
    cleanups.push(async () => { stdin.write('q'); await c.closed; });
    let frame = await c.frame((f) => /default\s+running\s+1\s/.test(f), 'one pending job');
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThan(24);
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(frame).toContain('1:pend');
    stdout.resize(120, 30);
    frame = await c.frame((f) => f.includes('1:pending 1'), 'the wide tab strip after the resize');
    expect(Math.max(...frame.split('\n').map((l) => [...l].length))).toBeGreaterThan(80);

    await server.stop('SIGKILL');
    await c.frame((f) => f.includes('Redis connection lost'), 'the banner', 15_000);
    server = await startPrivateRedis(port);
    await c.frame((f) => !f.includes('Redis connection lost') && f.includes('connected'), 'the banner gone', 20_000);
    await queue.push({ type: 'after' });
    await c.frame((f) => /default\s+running\s+1\s/.test(f), 'the console follows the new server', 15_000);
  });

  it('while Redis is away, a tab shows its last known jobs and a message still goes after 5 s', async () => {
    const port = await freePort();
    const server = await startPrivateRedis(port);
    cleanups.push(() => server.stop('SIGKILL'));
    const queue = await connectWhenUp(`redis://127.0.0.1:${port}`);
    cleanups.push(async () => { await queue.close().catch(() => {}); });
    const job = await queue.push({ type: 'before' });
    const stdout = new FakeStdout(100, 24);
    const stdin = new FakeStdin();
    const c = await open(hostView(queue, undefined, new LogBuffer(), `127.0.0.1:${port}`), stdout, stdin);
    cleanups.push(async () => { stdin.write('q'); await c.closed; });
    stdin.write('\r');
    await c.frame((f) => f.includes(job.id), 'the pending job');
    stdin.write('6');
    await c.frame((f) => f.includes('no completed jobs'), 'the completed tab, read');

    await server.stop('SIGKILL');
    await c.frame((f) => f.includes('Redis connection lost'), 'the banner', 15_000);
    stdin.write('1');
    await c.frame((f) => f.includes(job.id) && !f.includes('loading'), 'the last known pending job, back on its tab');
    stdin.write('3');
    await c.frame((f) => f.includes('processing jobs not read yet: waiting for Redis'), 'a tab never read says why it is empty');

    stdin.write('R'); // nothing marked: a refusal, said on the status line
    await c.frame((f) => f.includes('no job marked'), 'the message');
    const shownAt = Date.now();
    await c.frame((f) => !f.includes('no job marked'), 'the message gone', 8_000);
    expect(Date.now() - shownAt).toBeLessThan(6_000);
    expect(plain(stdout.lastFrame())).toContain('Redis connection lost');
  });
});


async function connectWhenUp(url: string): Promise<RedisQueue> {
  return waitFor('the test Redis to answer', async () => {
    try {
      return await RedisQueue.connect('default', { url, prefix: 'flexq-test-tui-lost', connectTimeout: 500 });
    } catch {
      return null;
    }
  });
}

