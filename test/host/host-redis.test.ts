/**
 * `[redis]` username, password, db and tls, and their FLEXQ_REDIS_* variables, reach the
 * connections the host opens: a private redis-server that requires a password (an ACL user) and,
 * for TLS, one that speaks only TLS on the port flexq is given.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { freePort, startPrivateRedis, waitFor, type PrivateRedis } from '../helpers.js';
import { startHost, stopHosts } from './host-helpers.js';

const ADMIN_PASSWORD = 'admin-pw';
const ACL_USER = ['--user', 'flexq', 'on', '>flexq-pw', '~*', '&*', '+@all'];

afterEach(() => stopHosts());

/** The keys of `prefix` in database `db`, read as the admin. */
async function keysIn(redis: PrivateRedis, db: number, prefix: string): Promise<string[]> {
  const admin = new Redis(redis.url, { password: ADMIN_PASSWORD, db });
  try {
    return await admin.keys(`${prefix}:*`);
  } finally {
    admin.disconnect();
  }
}

const hostToml = (redisTable: string) => `
${redisTable}
[queues.default]
pollTime = "200ms"
[handlers.sleep]
builtin = "sleep"
[metrics]
enabled = false
`;

describe('username, password and db', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis(await freePort(), ['--requirepass', ADMIN_PASSWORD, ...ACL_USER]);
  });
  afterAll(() => redis.stop());

  test('from the file: the host logs in as the ACL user and its jobs land in that db', async () => {
    const host = await startHost(hostToml(`[redis]
url = "${redis.url}"
username = "flexq"
password = "flexq-pw"
db = 3
prefix = "file"`));
    const queue = host.queues[0]!;
    const job = await queue.push({ type: 'sleep', payload: { ms: 1 } });
    await waitFor('the job done by the host worker', async () => (await queue.getJobStatus(job.id)) === 'completed');
    expect((await keysIn(redis, 3, 'file')).length).toBeGreaterThan(0);
    expect(await keysIn(redis, 0, 'file')).toEqual([]);
    const admin = new Redis(redis.url, { password: ADMIN_PASSWORD });
    const clients = ((await admin.call('CLIENT', 'LIST')) as string).split('\n').filter((line) => / name=flexq:/.test(line));
    admin.disconnect();
    expect(clients.length).toBeGreaterThanOrEqual(2); // the queue's connection and the worker's wait
    for (const line of clients) expect(line).toMatch(/ db=3 .* user=flexq /);
  });

  test('from FLEXQ_REDIS_URL, _USERNAME, _PASSWORD and _DB, over what the file says', async () => {
    const closed = await freePort();
    const host = await startHost(hostToml(`[redis]
url = "redis://127.0.0.1:${closed}"
username = "nobody"
password = "wrong"
db = 1
prefix = "env"`), {
      env: { FLEXQ_REDIS_URL: redis.url, FLEXQ_REDIS_USERNAME: 'flexq', FLEXQ_REDIS_PASSWORD: 'flexq-pw', FLEXQ_REDIS_DB: '5' },
    });
    const job = await host.queues[0]!.push({ type: 'sleep', payload: { ms: 1 } });
    await waitFor('the job done', async () => (await host.queues[0]!.getJobStatus(job.id)) === 'completed');
    expect((await keysIn(redis, 5, 'env')).length).toBeGreaterThan(0);
    expect(await keysIn(redis, 1, 'env')).toEqual([]);
  });

  test('a wrong password is refused: the host does not start', async () => {
    await expect(startHost(hostToml(`[redis]
url = "${redis.url}"
username = "flexq"
password = "not-it"
prefix = "wrong"`))).rejects.toThrow(/WRONGPASS|invalid username-password/i);
  });
});

describe('tls', () => {
  let redis: PrivateRedis;
  let tlsPort: number;
  let certs: string;
  beforeAll(async () => {
    certs = mkdtempSync(join(tmpdir(), 'flexq-tls-'));
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: certs, stdio: 'ignore' });
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=flexq test CA');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=redis.flexq.test');
    openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2');
    tlsPort = await freePort();
    // The plain port is the test's; flexq is given only the TLS one.
    redis = await startPrivateRedis(await freePort(), [
      '--tls-port', String(tlsPort), '--tls-cert-file', join(certs, 'server.crt'), '--tls-key-file', join(certs, 'server.key'),
      '--tls-ca-cert-file', join(certs, 'ca.crt'), '--tls-auth-clients', 'no',
    ]);
  });
  afterAll(async () => {
    await redis.stop();
    rmSync(certs, { recursive: true, force: true });
  });

  test('tls with caFile and servername: the host works over TLS', async () => {
    const host = await startHost(hostToml(`[redis]
addr = "127.0.0.1:${tlsPort}"
tls = { caFile = "${join(certs, 'ca.crt')}", servername = "redis.flexq.test" }
connectTimeout = "3s"
prefix = "tls"`));
    const job = await host.queues[0]!.push({ type: 'sleep', payload: { ms: 1 } });
    await waitFor('the job done', async () => (await host.queues[0]!.getJobStatus(job.id)) === 'completed');
  });

  test('without tls the TLS-only port does not serve the host', async () => {
    await expect(startHost(hostToml(`[redis]
addr = "127.0.0.1:${tlsPort}"
connectTimeout = "1s"
prefix = "plain"`))).rejects.toThrow(/cannot reach Redis/);
  });
});
