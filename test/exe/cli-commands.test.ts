import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers.js';
import { redisEnv, runFlexq, tempFolder } from './helpers.js';

// Two queues, no worker: every command's effect is checked through the engine. Each test has its
// own prefix and dispatches what it needs, so any one of them runs alone or in any order.
const CONFIG = `
[queues.default]
[queues.emails]
timeout = "45s"
maxPayloadBytes = 100
[handlers.demo]
builtin = "sleep"
options = { ms = 10 }
`;

describe('flexq CLI commands against Redis', () => {
  let prefix: string;
  let dir: string;
  let remove: () => Promise<void>;
  let queue: RedisQueue;
  let emails: RedisQueue;
  const flexq = (...args: string[]) => runFlexq(args, { env: redisEnv(prefix), cwd: dir });

  beforeEach(async () => {
    prefix = uniquePrefix('exe-cli');
    ({ dir, remove } = await tempFolder(CONFIG));
    queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix });
    emails = queue.queue('emails');
  });
  afterEach(async () => {
    await emails.close();
    await queue.close();
    await deletePrefix(prefix);
    await remove();
  });

  it('dispatch prints the new id; options and the queue timeout are applied', async () => {
    const result = await flexq('dispatch', 'email', '{"to":"a@example.com","password":"hunter2"}', '--queue', 'emails', '--priority', '7', '--max-attempts', '5');
    expect(result.code).toBe(0);
    const id = result.stdout.trim();
    expect(await emails.getJob(id)).toMatchObject({ type: 'email', status: 'pending', priority: 7, maxAttempts: 5, timeout: 45_000 });
    const delayed = await flexq('dispatch', 'demo', '--delay', '1h');
    expect(await queue.getJob(delayed.stdout.trim())).toMatchObject({ delay: 3_600_000 });
    const grouped = await flexq('dispatch', 'demo', '--group', 'tenant-7');
    expect(await queue.getJob(grouped.stdout.trim())).toMatchObject({ group: 'tenant-7' });
    expect((await flexq('show', grouped.stdout.trim())).stdout).toMatch(/group\s+tenant-7/);
    // A second dispatch with the same unique key prints the first job's id and adds nothing.
    const unique = await flexq('dispatch', 'demo', '--unique-key', 'order-7');
    const again = await flexq('dispatch', 'demo', '{"n":2}', '--unique-key', 'order-7');
    expect(again.stdout.trim()).toBe(unique.stdout.trim());
    expect(unique.stderr).not.toContain('already exists');
    expect(unique.stderr).toContain("flexq: warning: no live worker serves queue 'default'");
    // Only the note: the warning about a job waiting unserved is for a job this dispatch stored.
    expect(again.stderr).toBe(`flexq: note: a job with unique key 'order-7' already exists (job ${unique.stdout.trim()}), so nothing new was stored\n`);
  });

  it('dispatch takes a payload too large for an argument from stdin (-) or a file (@FILE)', async () => {
    // Near the 1 MiB maxPayloadBytes; an argument this size fails with "Argument list too long".
    const payload = { text: 'x'.repeat(1_000_000) };
    const fromStdin = await runFlexq(['dispatch', 'demo', '-'], { env: redisEnv(prefix), cwd: dir, input: JSON.stringify(payload) });
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect((await queue.getJob(fromStdin.stdout.trim()))?.payload).toEqual(payload);
    await writeFile(join(dir, 'payload.json'), JSON.stringify({ ...payload, n: 2 }));
    const fromFile = await flexq('dispatch', 'demo', '@payload.json');
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect((await queue.getJob(fromFile.stdout.trim()))?.payload).toEqual({ ...payload, n: 2 });
    // The queue's own limit holds the compact JSON; past four times it as given, reading stops.
    const tooLarge = await runFlexq(['dispatch', 'email', '-', '--queue', 'emails'], { env: redisEnv(prefix), cwd: dir, input: JSON.stringify({ text: 'x'.repeat(100) }) });
    expect(tooLarge).toMatchObject({ code: 2, stdout: '' });
    expect(tooLarge.stderr).toContain('flexq: cannot dispatch the job: payload is 111 bytes of JSON, over the limit of 100 (maxPayloadBytes)\n');
    const unread = await runFlexq(['dispatch', 'email', '-', '--queue', 'emails'], { env: redisEnv(prefix), cwd: dir, input: JSON.stringify({ text: 'x'.repeat(400) }) });
    expect(unread).toMatchObject({ code: 2, stdout: '' });
    expect(unread.stderr).toContain("flexq: payload from stdin is over 400 bytes as given, 4 times the queue's limit of 100 bytes of JSON (maxPayloadBytes)\n");
    expect(await emails.getStats()).toMatchObject({ pendingJobs: 0 });
    const missing = await flexq('dispatch', 'demo', '@nope.json');
    expect(missing).toMatchObject({ code: 2, stderr: "flexq: cannot read the payload file nope.json: no such file\nRun 'flexq dispatch --help' for usage.\n" });
  });

  it('dispatch to a queue that is not configured is a usage error naming the configured ones', async () => {
    const result = await flexq('dispatch', 'demo', '--queue', 'nope');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("queue 'nope' is not in the config (configured: default, emails)");
  });

  it('stats --json counts every configured queue', async () => {
    await emails.push({ type: 'email' });
    await emails.push({ type: 'email' });
    await queue.pushDelayed({ type: 'demo' }, 3_600_000);
    const result = await flexq('stats', '--json');
    expect(result.code).toBe(0);
    const stats = JSON.parse(result.stdout) as Record<string, { pendingJobs: number; delayedJobs: number }>;
    expect(Object.keys(stats)).toEqual(['default', 'emails']);
    expect(stats['emails']).toMatchObject({ pendingJobs: 2, delayedJobs: 0 });
    expect(stats['default']).toMatchObject({ pendingJobs: 0, delayedJobs: 1 });
  });

  it('jobs lists every status of every queue newest first, and filters by status and queue', async () => {
    await emails.push({ type: 'email' });
    const done = await queue.push({ type: 'demo' });
    const claimed = await queue.pop();
    expect(claimed?.id).toBe(done.id);
    await queue.cancelJob(done.id);
    const all = await flexq('jobs', '--json');
    expect(all.code).toBe(0);
    const listed = JSON.parse(all.stdout) as { id: string; status: string; queue: string }[];
    expect(listed[0]).toMatchObject({ id: done.id, status: 'cancelled' });
    expect(new Set(listed.map((job) => job.queue))).toEqual(new Set(['default', 'emails']));
    const cancelled = JSON.parse((await flexq('jobs', 'cancelled', '--queue', 'default', '--json')).stdout) as { id: string }[];
    expect(cancelled.map((job) => job.id)).toEqual([done.id]);
    const table = await flexq('jobs', '--limit', '1');
    expect(table.stdout.trim().split('\n')).toHaveLength(2); // header + one job
  });

  it('show finds a job in any queue and redacts its payload', async () => {
    const job = await emails.push({ type: 'email', payload: { to: 'a@example.com', password: 'hunter2' } });
    const result = await flexq('show', job.id, '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: job.id, queue: 'emails', payload: { to: 'a@example.com', password: '[redacted]' } });
    // Like cancel, show names the queues it searched.
    for (const command of ['show', 'cancel']) {
      expect(await flexq(command, 'nosuchjob000000')).toMatchObject({ code: 1, stderr: "flexq: no job with id 'nosuchjob000000' in queues default, emails\n" });
    }
    expect((await flexq('show', 'nosuchjob000000', '--queue', 'emails')).stderr).toBe("flexq: no job with id 'nosuchjob000000' in queue emails\n");
  });

  it('priority, cancel and retry change the job wherever it is', async () => {
    const job = await emails.push({ type: 'email', payload: {} });
    expect((await flexq('priority', job.id, '42')).code).toBe(0);
    expect(await emails.getJob(job.id)).toMatchObject({ priority: 42 });
    expect((await flexq('cancel', job.id)).stdout).toContain(`cancelled job ${job.id}`);
    expect(await emails.getJobStatus(job.id)).toBe('cancelled');
    const again = await flexq('cancel', job.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('cancelled');
    expect((await flexq('retry', job.id, '--queue', 'emails')).code).toBe(0);
    expect(await emails.getJob(job.id)).toMatchObject({ status: 'pending', attempts: 0 });
  });

  it('clean --limit removes at most that many over all queues', async () => {
    for (const target of [queue, emails]) {
      for (const job of await target.pushBulk([{ type: 't' }, { type: 't' }, { type: 't' }, { type: 't' }])) await target.cancelJob(job.id);
    }
    const result = await flexq('clean', 'cancelled', '--limit', '5');
    expect(result.code).toBe(0);
    const left = (await queue.listJobs('cancelled')).length + (await emails.listJobs('cancelled')).length;
    expect(left).toBe(3);
  });

  it('pause and resume a queue', async () => {
    expect((await flexq('pause', 'emails')).stdout).toBe('paused queue emails\n');
    expect(await emails.isPaused()).toBe(true);
    expect(await flexq('pause', 'emails')).toMatchObject({ code: 0, stdout: 'queue emails was already paused; nothing to pause\n' });
    expect(await emails.isPaused()).toBe(true);
    expect(await queue.isPaused()).toBe(false);
    expect((await flexq('resume', 'emails')).stdout).toBe('resumed queue emails\n');
    expect(await emails.isPaused()).toBe(false);
    expect(await flexq('resume', 'emails')).toMatchObject({ code: 0, stdout: 'queue emails was not paused; nothing to resume\n' });
  });

  it('demo --count dispatches that many demo jobs and reports each', async () => {
    const result = await flexq('demo', '--count', '3', '--interval', '10ms');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/dispatched demo job 1\/3 \w+ to default/);
    expect(result.stdout).toContain('demo done: 3 jobs dispatched to default');
    expect(await queue.getStats()).toMatchObject({ pendingJobs: 3 });
    expect((await queue.listJobs('pending')).every((job) => job.type === 'demo')).toBe(true);
  });
});
