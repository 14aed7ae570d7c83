/**
 * Short versions of the chaos scenarios (`npm run chaos` runs them at full size): worker kills, a
 * blocked event loop, completion races and a full Redis. Each asserts the scenario's own checks
 * and that the fault really happened.
 */
import { describe, expect, it } from 'vitest';
import { blockedLoop } from '../../chaos/scenarios/blocked-loop.js';
import { races } from '../../chaos/scenarios/races.js';
import { redisFull } from '../../chaos/scenarios/redis-full.js';
import { workerKills } from '../../chaos/scenarios/worker-kills.js';
import { requireBuild } from '../../chaos/worker-processes.js';
import { REDIS_URL } from '../helpers.js';

describe('faults, in short', () => {
  requireBuild();

  it('worker processes killed under load: nothing lost, duplicates bounded, orphans recovered within the lease + 2 s', async () => {
    const figures = await workerKills({
      redisUrl: REDIS_URL, jobs: 1_500, processes: 2, concurrency: 4, killEveryMs: 800, visibilityMs: 2_000, jobMs: 15, timeoutMs: 45_000,
    });
    console.info(`worker kills: ${JSON.stringify(figures)}`);
    expect(figures.kills).toBeGreaterThan(0);
    expect(figures.lost).toBe(0);
    expect(figures.duplicateRuns).toBeLessThanOrEqual(figures.duplicateBound);
    expect(figures.maxRecoveryMs).toBeLessThanOrEqual(figures.recoveryBound);
  }, 60_000);

  it('a handler that blocks its event loop past its lease: the job is recorded completed once, by the worker that recovered it', async () => {
    // A lease long enough that the second worker process has started, on a loaded machine too, before it runs out.
    const figures = await blockedLoop({ redisUrl: REDIS_URL, visibilityMs: 2_500 });
    expect(figures.handlerRuns).toBe(2);
    expect(figures).toMatchObject({ recordedCompletions: 1, resultFrom: 'second worker' });
  }, 60_000);

  it('completions racing recovery, cancel, retry and priority changes: no completed job reopens, no cancelled one restarts, stats agree', async () => {
    const figures = await races({ redisUrl: REDIS_URL, operations: 1_500, jobs: 300 });
    console.info(`races: ${JSON.stringify(figures)}`);
    expect(figures.recoveries).toBeGreaterThan(0);
    expect(figures).toMatchObject({ completedReopened: 0, startedAfterCancel: 0, statsDrift: [] });
  }, 60_000);

  it('Redis full: dispatch rejects as RedisFullError storing nothing, held jobs finish, and freeing memory recovers', async () => {
    const figures = await redisFull();
    expect(figures.rejectedAs).toMatch(/^RedisFullError: Redis is full/);
    expect(figures).toMatchObject({ storedWhileFull: 0, heldJobFinished: true, dispatchAfterFreeing: true });
  }, 60_000);
});
