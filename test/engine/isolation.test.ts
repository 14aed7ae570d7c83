/**
 * Handlers that can be stopped: a module handler in a thread or child process that spins in a busy
 * loop is killed `killAfter` ms after its signal aborts (cancel, timeout), its slot gets a fresh
 * runner that serves the next job, and progress and logs of an isolated handler still arrive.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job, RedisQueue } from '../../src/index.js';
import { REDIS_URL, freshQueue, waitFor } from '../helpers.js';
import { requireBuild, startChild, type Child } from './processes.js';

const FIXTURE = new URL('../fixtures/isolated-worker.mjs', import.meta.url).pathname;

describe.each(['thread', 'process'] as const)('isolation "%s"', (isolation) => {
  let child: Child;
  let queue: RedisQueue;
  let cleanup: () => Promise<void>;
  const dir = mkdtempSync(join(tmpdir(), 'flexq-isolation-'));
  beforeAll(async () => {
    requireBuild();
    ({ queue, cleanup } = await freshQueue(`iso-${isolation}`));
    child = startChild(process.execPath, [FIXTURE], { REDIS_URL, FLEXQ_PREFIX: queue.prefix, FLEXQ_QUEUE: queue.name, FLEXQ_ISOLATION: isolation });
    await child.line(/READY/);
  });
  afterAll(async () => {
    await child.stop();
    await cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const beatOf = (file: string) => {
    try {
      return statSync(file).size;
    } catch {
      return 0;
    }
  };
  /** Proves the spinning handler ran and then stopped for good: its beat file no longer changes. */
  const expectStopped = async (beat: string) => {
    const last = beatOf(beat);
    expect(last).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 500)); // 25 beats' worth
    expect(beatOf(beat)).toBe(last);
  };
  const spinPayload = (name: string) => ({ mode: 'spin', beat: join(dir, name) });

  const runnerOf = async (id: string) =>
    waitFor(`job ${id} to report its runner`, async () => ((await queue.getJob(id))?.progress as { runner?: string } | undefined)?.runner);
  const finished = (id: string, status: string) =>
    waitFor(`job ${id} ${status}`, async () => {
      const job = await queue.getJob(id);
      return job?.status === status ? job : null;
    }, { timeoutMs: 15_000 });
  const work = async (): Promise<Job> => finished((await queue.push({ type: 'stubborn', payload: { mode: 'work' } })).id, 'completed');

  test('progress and log lines of an isolated handler arrive', async () => {
    const job = await work();
    expect(job.progress).toEqual({ percent: 50 });
    const line = await child.line(/isolated log line/);
    expect(JSON.parse(line)).toMatchObject({ jobId: job.id, type: 'stubborn', step: 'halfway', msg: 'isolated log line' });
  });

  test('a busy loop is killed after killAfter on cancel; the job stays cancelled and a fresh runner serves the next job', async () => {
    const spin = await queue.push({ type: 'stubborn', payload: spinPayload('cancel') });
    const spinRunner = await runnerOf(spin.id);
    await waitFor('the busy loop running', () => beatOf(join(dir, 'cancel')) > 1);
    await queue.cancelJob(spin.id);
    const killed = await waitFor('the handler killed', async () => {
      const job = await queue.getJob(spin.id);
      return job?.handlerStop?.state === 'killed' ? job : null;
    }, { timeoutMs: 10_000 });
    expect(killed.status).toBe('cancelled');
    expect(await child.line(new RegExp(`"jobId":"${spin.id}".*handler killed`))).toBeTruthy();
    await expectStopped(join(dir, 'cancel'));
    const next = await work();
    expect((next.result as { runner: string }).runner).not.toBe(spinRunner);
  });

  test('a busy loop past its timeout is killed and its attempt fails by timeout, retried as its policy says', async () => {
    const spin = await queue.push({ type: 'stubborn', payload: spinPayload('timeout'), timeout: 300, maxAttempts: 2 });
    const failed = await finished(spin.id, 'failed');
    expect(failed.error).toMatch(/^job timed out after 300 ms; handler killed 500 ms after its signal aborted$/);
    expect(failed.history!.map((attempt) => [attempt.attempt, attempt.outcome])).toEqual([[1, 'retrying'], [2, 'failed']]);
    expect(failed.handlerStop).toEqual({ state: 'killed', attempt: 2 });
    await expectStopped(join(dir, 'timeout'));
    expect((await work()).status).toBe('completed');
  });
});
