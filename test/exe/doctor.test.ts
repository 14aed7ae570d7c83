/**
 * `flexq doctor` checks the Redis a config points at and says what is wrong and how to fix it;
 * a starting host warns about the same risks. Run as the built executable against Redis servers
 * of the test's own, one safe and one that may evict queue keys.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startPrivateRedis, uniquePrefix, type PrivateRedis } from '../helpers.js';
import { FlexqProcess, childEnv, runFlexq, tempFolder } from './helpers.js';

describe('flexq doctor', () => {
  let redis: PrivateRedis;
  let folder: { dir: string; remove: () => Promise<void> };
  let env: Record<string, string>;
  beforeAll(async () => {
    redis = await startPrivateRedis(await freePort());
    folder = await tempFolder('[queues.default]\n[handlers.demo]\nbuiltin = "sleep"\n');
    env = childEnv({ FLEXQ_REDIS_URL: redis.url, FLEXQ_REDIS_PREFIX: uniquePrefix('doctor') });
  });
  afterAll(async () => {
    await folder.remove();
    await redis.stop();
  });

  it('passes a Redis without eviction, warning that persistence is off, with the fix', async () => {
    const { code, stdout } = await runFlexq(['doctor'], { env, cwd: folder.dir });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok\s+version\s+Redis 7/m);
    expect(stdout).toMatch(/^ok\s+functions\s+function library flexq_\w+ loaded/m);
    expect(stdout).toMatch(/^WARN\s+persistence\s+persistence off .*: a Redis restart loses every job\n\s+fix: CONFIG SET appendonly yes/m);
    expect(stdout).toMatch(/^ok\s+latency\s+round trip [\d.]+ ms/m);
  });

  it('fails (exit 1) on an eviction policy that can drop queue keys, also in --json, without printing credentials', async () => {
    const admin = new Redis(redis.url);
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await admin.config('SET', 'requirepass', 's3cret-canary');
    try {
      const secretEnv = { ...env, FLEXQ_REDIS_URL: `redis://:s3cret-canary@127.0.0.1:${redis.port}` };
      const text = await runFlexq(['doctor'], { env: secretEnv, cwd: folder.dir });
      expect(text.code).toBe(1);
      expect(text.stdout).toMatch(/^FAIL\s+eviction\s+maxmemory-policy allkeys-lru may evict queue keys/m);
      const json = await runFlexq(['doctor', '--json'], { env: secretEnv, cwd: folder.dir });
      expect(json.code).toBe(1);
      const report = JSON.parse(json.stdout) as { ok: boolean; checks: { name: string; level: string; fix?: string }[] };
      expect(report.ok).toBe(false);
      expect(report.checks.find((check) => check.name === 'eviction')).toMatchObject({ level: 'error', fix: expect.stringContaining('noeviction') });
      for (const output of [text.stdout, text.stderr, json.stdout, json.stderr]) expect(output).not.toContain('s3cret-canary');

      // A starting host says the same as a warning, and runs.
      const host = new FlexqProcess(['--headless'], { env: secretEnv, cwd: folder.dir });
      try {
        await host.waitForLog(/Redis check eviction: maxmemory-policy allkeys-lru/);
        await host.waitForLog(/flexq running/);
        expect(host.stdout).not.toContain('s3cret-canary');
      } finally {
        host.signal('SIGTERM');
        await host.exited;
      }
    } finally {
      await admin.config('SET', 'requirepass', '');
      await admin.config('SET', 'maxmemory-policy', 'noeviction');
      admin.disconnect();
    }
  });
});
