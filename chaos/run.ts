/**
 * `npm run chaos`: every fault scenario at full size, one line of figures each, bounded to 10
 * minutes in all. Exits 1 when a scenario's checks fail. `--only NAME` runs one scenario.
 */
import { requireBuild } from './worker-processes.js';
import { workerKills } from './scenarios/worker-kills.js';
import { gracefulStop } from './scenarios/graceful-stop.js';
import { blockedLoop } from './scenarios/blocked-loop.js';
import { races } from './scenarios/races.js';
import { redisKilled } from './scenarios/redis-killed.js';
import { redisStalled } from './scenarios/redis-stalled.js';
import { redisFull } from './scenarios/redis-full.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const url = new URL(REDIS_URL);
if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) throw new Error(`REDIS_URL must be a loopback address, got ${url.hostname}`);

const scenarios: Record<string, () => Promise<{ ok: boolean }>> = {
  'worker-kills': () => workerKills({
    redisUrl: REDIS_URL, jobs: 20_000, processes: 4, concurrency: 8, killEveryMs: 2_000, visibilityMs: 3_000, jobMs: 40, timeoutMs: 240_000,
  }),
  'graceful-stop': () => gracefulStop({ redisUrl: REDIS_URL, concurrency: 8, jobMs: 3_000, graceMs: 500, visibilityMs: 30_000 }),
  'blocked-loop': () => blockedLoop({ redisUrl: REDIS_URL, visibilityMs: 2_000 }),
  races: () => races({ redisUrl: REDIS_URL, operations: 10_000, jobs: 2_000 }),
  'redis-killed-always': () => redisKilled({ appendfsync: 'always', rate: 500, loadMs: 3_000, downMs: 3_000 }),
  'redis-killed-everysec': () => redisKilled({ appendfsync: 'everysec', rate: 500, loadMs: 3_000, downMs: 3_000 }),
  'redis-stalled': () => redisStalled({ pauseMs: 5_000 }),
  'redis-full': () => redisFull(),
};

requireBuild();
const limit = setTimeout(() => {
  console.error('chaos: over its 10-minute limit; stopping');
  process.exit(2);
}, 10 * 60_000);
limit.unref();

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && !(only in scenarios)) {
  console.error(`chaos: no scenario "${only}"; there are ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
let failed = 0;
for (const [name, run] of Object.entries(scenarios)) {
  if (only !== undefined && name !== only) continue;
  const started = Date.now();
  try {
    const figures = await run();
    if (!figures.ok) failed++;
    console.log(`${figures.ok ? 'ok  ' : 'FAIL'} ${name.padEnd(22)} ${((Date.now() - started) / 1000).toFixed(1)}s ${JSON.stringify(figures)}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name.padEnd(22)} ${(err as Error).stack ?? String(err)}`);
  }
}
process.exit(failed === 0 ? 0 : 1);
