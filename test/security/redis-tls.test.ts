import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionError, RedisQueue } from '../../src/index.js';
import { uniquePrefix } from '../helpers.js';
import { makeTestPki, redisHasTls, startTlsRedis, type TestPki, type TlsRedis } from './private-servers.js';

// A Redis built without TLS cannot run this file; say so rather than pass quietly.
const tlsBuild = redisHasTls();
if (!tlsBuild) console.warn('redis-tls.test: this redis-server was built without TLS; the TLS tests are skipped');

describe.runIf(tlsBuild)('Redis over TLS (a private redis-server with --tls-port and a CA made by openssl)', () => {
  let pki: TestPki;
  let redis: TlsRedis;
  beforeAll(async () => {
    pki = makeTestPki();
    redis = await startTlsRedis(pki);
  }, 30_000);
  afterAll(async () => {
    await redis?.stop();
    pki?.remove();
  });

  it('connects with rediss:// and the CA, and push and getJob work', async () => {
    const queue = await RedisQueue.connect('tls', { url: `rediss://127.0.0.1:${redis.port}`, tls: { ca: pki.ca }, prefix: uniquePrefix('tls') });
    try {
      const job = await queue.push({ type: 'over-tls', payload: { n: 1 } });
      expect(await queue.getJob(job.id)).toMatchObject({ id: job.id, type: 'over-tls', payload: { n: 1 }, status: 'pending' });
      expect(await queue.getStats()).toMatchObject({ pendingJobs: 1 });
    } finally {
      await queue.close();
    }
  });

  it('connects with addr and tls options too', async () => {
    const queue = await RedisQueue.connect('tls', { addr: `127.0.0.1:${redis.port}`, tls: { ca: pki.ca }, prefix: uniquePrefix('tls') });
    try {
      expect(await queue.ping()).toBeGreaterThanOrEqual(0);
    } finally {
      await queue.close();
    }
  });

  it('fails a plaintext connection to the TLS port with an error naming the address, within connectTimeout', async () => {
    const started = Date.now();
    const attempt = RedisQueue.connect('tls', { url: `redis://127.0.0.1:${redis.port}`, connectTimeout: 1_500, prefix: uniquePrefix('tls') });
    const err = await attempt.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toContain(`cannot reach Redis at 127.0.0.1:${redis.port}`);
    expect((err as Error).message).toMatch(/is this a TLS port\? use a rediss:\/\/ url or the tls option/);
    expect(Date.now() - started).toBeLessThan(5_000);
    console.info(`plaintext to a TLS port: ${(err as Error).message}`);
  });

  it('fails with a wrong CA, saying the certificate is not trusted and naming the address', async () => {
    const attempt = RedisQueue.connect('tls', {
      url: `rediss://127.0.0.1:${redis.port}`, tls: { ca: pki.otherCa }, connectTimeout: 3_000, prefix: uniquePrefix('tls'),
    });
    const err = await attempt.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toContain(`cannot reach Redis at 127.0.0.1:${redis.port}`);
    expect((err as Error).message).toMatch(/certificate/i);
    console.info(`wrong CA: ${(err as Error).message}`);
  });

  it('fails without any CA (the system store does not know the test CA), naming the address', async () => {
    const attempt = RedisQueue.connect('tls', { url: `rediss://127.0.0.1:${redis.port}`, connectTimeout: 3_000, prefix: uniquePrefix('tls') });
    const err = await attempt.then(() => undefined, (e: unknown) => e);
    expect((err as Error).message).toMatch(new RegExp(`cannot reach Redis at 127\\.0\\.0\\.1:${redis.port}: .*certificate`, 'i'));
  });
});
