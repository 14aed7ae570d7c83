import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { childEnv, FlexqProcess, freePort, processAlive, runFlexq, tempFolder } from './helpers.js';

// No [redis] table and no FLEXQ_REDIS_* variable: Redis is "not configured". This machine runs a
// Redis on 6379, so the probe is pointed at a free port where nothing answers.
const CONFIG = `
[queues.default]
[handlers.demo]
builtin = "sleep"
options = { ms = 10 }
[metrics]
enabled = false
`;

describe('embedded Redis', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let host: FlexqProcess | undefined;
  let redisPid: number | undefined;

  beforeEach(async () => {
    ({ dir, remove } = await tempFolder(CONFIG));
  });
  afterEach(async () => {
    await host?.kill();
    host = undefined;
    // A failed test must not leave its redis-server behind.
    if (redisPid !== undefined && processAlive(redisPid)) process.kill(redisPid, 'SIGKILL');
    redisPid = undefined;
    await remove();
  });

  it('starts redis-server under ./.flexq/, serves CLI commands from that folder, and stops it on exit', async () => {
    const probe = `127.0.0.1:${await freePort()}`;
    const env = childEnv({ FLEXQ_EMBEDDED_PROBE_ADDR: probe });
    host = new FlexqProcess(['--headless'], { env, cwd: dir });
    const started = await host.waitForLog(/^no Redis configured and none answering: started redis-server/);
    redisPid = Number(started['redisPid']);
    expect(started).toMatchObject({ dataDir: join(dir, '.flexq') });
    expect(processAlive(redisPid)).toBe(true);
    expect(await host.waitForLog(/^flexq running/)).toMatchObject({ embeddedRedis: true, redis: started['addr'] });
    expect(await readFile(join(dir, '.flexq', 'redis.json'), 'utf8')).toContain(String(started['addr']));

    const dispatched = await runFlexq(['dispatch', 'demo'], { env, cwd: dir });
    expect(dispatched.code).toBe(0);
    // Nothing named this Redis: the command says which one it used.
    expect(dispatched.stderr).toBe(`flexq: note: no Redis configured ([redis] in flexq.toml, FLEXQ_REDIS_URL or --redis): using the one at ${String(started['addr'])}\n`);
    expect((await runFlexq(['stats'], { env: { ...env, FLEXQ_REDIS_URL: `redis://${String(started['addr'])}` }, cwd: dir })).stderr).toBe('');
    const id = dispatched.stdout.trim();
    await waitFor('the job to complete on the embedded Redis', async () => {
      const shown = await runFlexq(['show', id, '--json'], { env, cwd: dir });
      return shown.code === 0 && (JSON.parse(shown.stdout) as { status: string }).status === 'completed';
    }, { timeoutMs: 20_000, intervalMs: 100 });

    host.signal('SIGTERM');
    expect(await host.exited).toBe(0);
    expect(processAlive(redisPid)).toBe(false);
    expect(host.logLines().map((line) => line['msg'])).toContain('embedded redis-server stopped');
    // The append-only file is on, so the data survives for the next run.
    expect(await readFile(join(dir, '.flexq', 'redis.log'), 'utf8')).toMatch(/append only|AOF/i);
  });

  it('without a redis-server binary says what to install or configure and exits 1', async () => {
    const probe = `127.0.0.1:${await freePort()}`;
    const result = await runFlexq(['--headless'], { env: { FLEXQ_EMBEDDED_PROBE_ADDR: probe, PATH: join(dir, 'no-bin') }, cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`nothing answers on ${probe} and no redis-server binary is on PATH`);
    expect(result.stderr).toContain('apt-get install redis-server');
    expect(result.stderr).toContain('FLEXQ_REDIS_URL');
  });
});
