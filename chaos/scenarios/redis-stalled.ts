/**
 * Scenario 6: Redis stalls (CLIENT PAUSE) and every connection to it is reset through a proxy,
 * as a partition does. The headless host behind the proxy must keep running, say so on /healthz
 * while Redis is away, and take up work again by itself once Redis answers.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startFaultProxy } from '../../test/fault-proxy.js';
import { RedisServer } from '../redis-server.js';
import { eventually, openScenario, sleep } from '../scenario.js';

const FLEXQ = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface RedisStalledOptions {
  pauseMs: number;
}

export interface RedisStalledFigures {
  /** /healthz answers seen while Redis was paused: 503 is the truth. */
  healthWhilePaused: number[];
  healthAfter: number;
  hostExited: boolean;
  /** From the end of the pause to the first job completed after it. */
  resumeMs: number;
  ok: boolean;
}

async function healthStatus(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3_000) })).status;
  } catch {
    return 0;
  }
}

export async function redisStalled(o: RedisStalledOptions): Promise<RedisStalledFigures> {
  const redis = await RedisServer.start();
  const proxy = await startFaultProxy({ host: '127.0.0.1', port: redis.port });
  const scenario = await openScenario('stalled', redis.url);
  const dir = mkdtempSync(join(tmpdir(), 'flexq-chaos-stalled-'));
  const config = join(dir, 'flexq.toml');
  writeFileSync(config, [
    '[redis]', `url = "${proxy.url}"`, `prefix = "${scenario.prefix}"`,
    '[queues.chaos]', 'concurrency = 2', 'pollTime = "200ms"',
    '[handlers.work]', 'builtin = "sleep"', 'options = { ms = 5 }',
    '[metrics]', 'port = 0', '[logging]', 'level = "info"',
  ].join('\n'));
  const host = spawn(process.execPath, [FLEXQ, '--headless', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  let exited = false;
  host.once('exit', () => (exited = true));
  const admin = new Redis(redis.url);
  try {
    const healthUrl = await new Promise<string>((resolve, reject) => {
      createInterface({ input: host.stdout! }).on('line', (line) => {
        const match = /health and metrics at (http:\/\/\S+?)\/healthz/.exec(line);
        if (match) resolve(match[1]!);
      });
      host.once('exit', () => reject(new Error('flexq --headless exited before it listened')));
    });
    const completed = async () => (await scenario.queue.getStats()).completedJobs;
    await scenario.queue.push({ type: 'work' });
    await eventually(async () => (await completed()) === 1, 10_000);

    await admin.call('CLIENT', 'PAUSE', String(o.pauseMs), 'ALL');
    proxy.resetAll();
    const pausedUntil = Date.now() + o.pauseMs;
    const healthWhilePaused: number[] = [];
    while (Date.now() < pausedUntil - 1_500) {
      healthWhilePaused.push(await healthStatus(healthUrl));
      await sleep(500);
    }
    await eventually(() => Date.now() > pausedUntil, o.pauseMs);
    await scenario.queue.push({ type: 'work' });
    const resumed = await eventually(async () => (await completed()) === 2, 10_000);
    const resumeMs = resumed ? Date.now() - pausedUntil : Number.NaN;
    const healthAfter = await healthStatus(healthUrl);
    return {
      healthWhilePaused, healthAfter, hostExited: exited, resumeMs,
      ok: !exited && resumed && healthWhilePaused.length > 0 && healthWhilePaused.every((s) => s === 503) && healthAfter === 200,
    };
  } finally {
    host.kill('SIGTERM');
    await new Promise((resolve) => (exited ? resolve(undefined) : host.once('exit', resolve)));
    admin.disconnect();
    await scenario.close();
    await proxy.close();
    await redis.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
