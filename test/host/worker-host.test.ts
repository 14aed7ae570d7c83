/**
 * The worker host in process: what it says when it starts and stops, its health, the per-queue
 * job timeout reaching the worker, its run counts in /metrics, and read-only and handler-less
 * hosts that take no jobs. (test/exe/headless.test.ts checks the executable around it.)
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { Redis } from 'ioredis';
import { deletePrefix, freePort, REDIS_URL, startPrivateRedis, uniquePrefix, waitFor } from '../helpers.js';
import { parse } from './config-helpers.js';
import { redisForHost } from '../../src/config/redis-target.js';
import { WorkerHost } from '../../src/host/worker-host.js';
import { RedisQueue } from '../../src/index.js';
import { tmpdir } from 'node:os';

let prefix: string;
const hosts: WorkerHost[] = [];
beforeEach(() => {
  prefix = uniquePrefix('worker-host');
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.stop(100)));
  await deletePrefix(prefix);
});

const base = () => `
[redis]
url = "${REDIS_URL}"
prefix = "${prefix}"
`;

const SLEEP_HANDLER = '[handlers.sleep]\nbuiltin = "sleep"\n';
/** The listener on a free port of the loopback address. */
const METRICS_ANY_PORT = '[metrics]\nhost = "127.0.0.1"\nport = 0\n';

/** Starts a host from `toml` with a logger whose lines the test reads. */
async function start(toml: string, options: { mode?: 'headless' | 'console'; readOnly?: boolean; withoutFile?: boolean } = {}) {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = pino({ level: 'info' }, new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text !== '') lines.push(JSON.parse(text));
      done();
    },
  }));
  const parsed = parse(toml, {});
  // `flexq --redis URL` run where there is no flexq.toml.
  const config = options.withoutFile === true ? { ...parsed, configFile: null } : parsed;
  const target = await redisForHost(config, {}, tmpdir());
  const host = await WorkerHost.start({ config, mode: options.mode ?? 'headless', target, logger, readOnly: options.readOnly ?? false });
  hosts.push(host);
  const said = (pattern: RegExp) => lines.find((line) => pattern.test(line.msg));
  return { host, lines, said };
}

describe('worker host', () => {
  test('says what runs where when it starts, answers healthy, and says it stops', async () => {
    const { host, said } = await start(`${base()}
[queues.default]
concurrency = 3
[queues.mail]
${SLEEP_HANDLER}${METRICS_ANY_PORT}`);
    expect(host.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(said(/^health and metrics at /)).toMatchObject({ msg: `health and metrics at ${host.metricsUrl}/healthz and /metrics`, url: host.metricsUrl });
    expect(said(/^flexq running/)).toMatchObject({
      msg: 'flexq running: queues default (x3), mail (x1); job types sleep; Redis at 127.0.0.1:6379',
      queues: ['default', 'mail'], handlers: ['sleep'], redis: '127.0.0.1:6379', embeddedRedis: false,
    });
    expect(host.pool()).toEqual([{ queue: 'default', busy: 0, concurrency: 3 }, { queue: 'mail', busy: 0, concurrency: 1 }]);
    expect(await host.health()).toEqual({ ok: true, reason: '2 worker(s) running; Redis at 127.0.0.1:6379 answers' });
    const healthz = await fetch(`${host.metricsUrl}/healthz`);
    expect(healthz.status).toBe(200);
    expect(await healthz.json()).toEqual({ status: 'ok', reason: '2 worker(s) running; Redis at 127.0.0.1:6379 answers' });
    expect(host.logs.lines()).toEqual([]); // no console: its ring is there, empty
    const watcher = await RedisQueue.connect('default', { url: REDIS_URL, prefix });
    try {
      expect(await watcher.getWorkers()).toHaveLength(1);
      await host.stop(100);
      expect(await watcher.getWorkers()).toEqual([]); // the workers stopped and left
    } finally {
      await watcher.close();
    }
    expect(await host.health()).toEqual({ ok: false, reason: 'shutting down' });
    expect(said(/^stopping/)).toMatchObject({ msg: 'stopping: waiting up to 100 ms for 0 running job(s)', runningJobs: 0, timeoutMs: 100 });
    expect(said(/^workers stopped$/)).toBeDefined();
  });

  test("a queue's timeout bounds its jobs' runs; other queues keep the worker's default", async () => {
    const { host } = await start(`${base()}
[queues.quick]
pollTime = "200ms"
timeout = "300ms"
[queues.slow]
pollTime = "200ms"
${SLEEP_HANDLER}[metrics]
enabled = false
`);
    const [quick, slow] = host.queues;
    const cut = await quick!.push({ type: 'sleep', payload: { ms: 3_000 }, maxAttempts: 1 });
    const whole = await slow!.push({ type: 'sleep', payload: { ms: 1_500 }, maxAttempts: 1 });
    const failed = await waitFor('the quick queue\'s job to fail', async () => {
      const job = await quick!.getJob(cut.id);
      return job?.status === 'failed' ? job : null;
    });
    expect(failed.error).toMatch(/timed out after 300 ms/);
    await waitFor('the slow queue\'s job to complete', async () => (await slow!.getJob(whole.id))?.status === 'completed');
  });

  test('/metrics counts each finished run by queue, type and outcome, with its duration', async () => {
    const { host } = await start(`${base()}
[queues.default]
pollTime = "200ms"
${SLEEP_HANDLER}${METRICS_ANY_PORT}`);
    const queue = host.queues[0]!;
    await queue.push({ type: 'sleep', payload: { ms: 1 } });
    await queue.push({ type: 'sleep', payload: { ms: 1, fail: true }, maxAttempts: 1 });
    await waitFor('both finished', async () => {
      const stats = await queue.getStats();
      return stats.completedJobs === 1 && stats.failedJobs === 1;
    });
    const text = await (await fetch(`${host.metricsUrl}/metrics`)).text();
    expect(text).toContain('flexq_jobs_processed_total{queue="default",type="sleep",outcome="completed"} 1');
    expect(text).toContain('flexq_jobs_processed_total{queue="default",type="sleep",outcome="failed"} 1');
    expect(text).toContain('flexq_job_duration_seconds_count{queue="default",type="sleep",outcome="completed"} 1');
    // The buckets reach 5 minutes (prom-client's own stop at 10 s).
    expect(text).toContain('flexq_job_duration_seconds_bucket{le="300",queue="default",type="sleep",outcome="completed"} 1');
    expect(text).toContain('flexq_worker_concurrency{queue="default"} 1');
    // Node's own figures, under the flexq_ prefix.
    expect(text).toMatch(/^flexq_process_cpu_user_seconds_total \d/m);
  });

  test('a headless host on a port in use does not start, naming the port and the setting; a console host starts without /metrics', async () => {
    const { host: first } = await start(`${base()}
[queues.default]
${METRICS_ANY_PORT}`);
    const port = new URL(first.metricsUrl!).port;
    const busy = `${base()}
[queues.default]
[metrics]
host = "127.0.0.1"
port = ${port}
`;
    await expect(start(busy)).rejects.toThrow(new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port} for /healthz and /metrics: .*\\(set \\[metrics\\] port, or enabled = false\\)$`));
    const { host, said } = await start(busy, { mode: 'console' });
    expect(host.metricsUrl).toBeUndefined();
    expect(said(/^cannot listen on/)).toMatchObject({ level: 40 });
  });

  test('with no handlers it takes no jobs and says so per queue; read-only runs no workers', async () => {
    const toml = `${base()}
[queues.default]
[queues.mail]
[metrics]
enabled = false
`;
    const { host, said } = await start(toml);
    expect(said(/^queue mail: /)).toMatchObject({
      level: 40, queue: 'mail',
      msg: 'queue mail: no worker started, because [handlers] configures no job type; its jobs wait for a host that has handlers',
    });
    expect(said(/^flexq running/)!.msg).toBe('flexq running: queues none (no handlers); job types none; Redis at 127.0.0.1:6379');
    expect(host.pool()).toEqual([]);
    const readOnly = await start(`${toml}${SLEEP_HANDLER}`, { readOnly: true });
    expect(readOnly.said(/^flexq read-only/)).toMatchObject({
      msg: 'flexq read-only: watching queues default, mail; no workers run here', queues: ['default', 'mail'], redis: '127.0.0.1:6379',
    });
    expect(readOnly.host.pool()).toEqual([]);
    expect(readOnly.said(/^flexq running/)).toBeUndefined();
  });

  test('a read-only console shows the queues registered in Redis, as --no-workers does, with or without a flexq.toml', async () => {
    const producer = await RedisQueue.connect('default', { url: REDIS_URL, prefix });
    try {
      await producer.push({ type: 't' });
      await producer.queue('mail').push({ type: 't' });
    } finally {
      await producer.close();
    }
    const toml = `${base()}[queues.default]\n[metrics]\nenabled = false\n`;
    const withFile = await start(toml, { readOnly: true });
    expect(withFile.host.queues.map((q) => q.name)).toEqual(['default', 'mail']);
    const withoutFile = await start(toml, { readOnly: true, withoutFile: true });
    expect(withoutFile.host.queues.map((q) => q.name).sort()).toEqual(['default', 'mail']);
    expect(withoutFile.host.pool()).toEqual([]);
  });

  test('a console without a flexq.toml shows no queue nobody used, and finds the queues first used while it runs', async () => {
    const toml = `${base()}[queues.default]\n[metrics]\nenabled = false\n`;
    const { host, said } = await start(toml, { readOnly: true, withoutFile: true });
    expect(host.queues).toEqual([]);
    expect(said(/^flexq read-only: watching queues/)?.msg).toBe('flexq read-only: watching queues (none used yet); no workers run here');
    expect(await host.health()).toMatchObject({ ok: true });
    const producer = await RedisQueue.connect('work', { url: REDIS_URL, prefix });
    try {
      await producer.push({ type: 't' });
      expect((await host.discoverQueues()).map((q) => q.name)).toEqual(['work']);
      await producer.queue('other').push({ type: 't' });
      const found = await host.discoverQueues();
      expect(found.map((q) => q.name)).toEqual(['work', 'other']);
      expect(await found[1]!.getStats()).toMatchObject({ pendingJobs: 1 });
      // The same handles each time: a console keeps what it follows.
      expect((await host.discoverQueues())[0]).toBe(found[0]);
    } finally {
      await producer.close();
    }
  });

  test('warns at start about what in Redis could lose jobs, and is unhealthy while Redis does not answer', async () => {
    const redis = await startPrivateRedis(await freePort());
    const admin = new Redis(redis.url);
    try {
      const { host, lines } = await start(`[redis]\nurl = "${redis.url}"\n[queues.default]\n[metrics]\nenabled = false\n`);
      const address = `127.0.0.1:${new URL(redis.url).port}`;
      const checks = await host.queues[0]!.checkRedis();
      const warned = lines.filter((line) => line.msg.startsWith('Redis check '));
      expect(warned.map((line) => line.check)).toEqual(checks.filter((c) => c.level !== 'ok').map((c) => c.name));
      expect(warned.length).toBeGreaterThan(0); // a Redis without persistence, as this one runs
      const first = checks.find((c) => c.level !== 'ok')!;
      expect(warned[0]).toMatchObject({ level: 40, msg: `Redis check ${first.name}: ${first.detail}`, fix: first.fix });
      expect(await host.health()).toEqual({ ok: true, reason: `0 worker(s) running; Redis at ${address} answers` });
      const changes: string[] = [];
      host.onConnectionChange((state) => changes.push(state));
      expect(host.connectionState()).toBe('connected');
      await admin.call('CLIENT', 'PAUSE', '8000', 'ALL');
      expect(await host.health()).toEqual({ ok: false, reason: `Redis at ${address} does not answer: Redis at ${address}: no answer within 2000 ms` });
      // The console's banner: the host's periodic round trip notices, and tells its listeners.
      await waitFor('the host to see Redis gone', () => host.connectionState() === 'reconnecting', { timeoutMs: 20_000 });
      await admin.call('CLIENT', 'UNPAUSE');
      await waitFor('the host to see Redis back', () => host.connectionState() === 'connected', { timeoutMs: 20_000 });
      expect(changes).toEqual(['reconnecting', 'connected']);
    } finally {
      await Promise.all(hosts.splice(0).map((host) => host.stop(100)));
      admin.disconnect();
      await redis.stop();
    }
  });
});
