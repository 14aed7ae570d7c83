/**
 * `flexq console --redis URL` in a real terminal (tmux), in a folder without flexq.toml, against the
 * Redis of a separate headless host: it finds the host's queue and workers, cancels jobs (marked in
 * bulk, and a running one), retries them, and runs no worker of its own.
 */
import { describe, expect, it } from 'vitest';
import { REDIS_URL, waitFor } from '../helpers.js';
import { FLEXQ_BIN, FlexqProcess, childEnv, redisEnv, tempFolder, useHeadlessHost } from './helpers.js';
import { exitStatus, onCleanup, queueRow, useConsoleSessions } from './console-session.js';
import { TmuxTerminal } from './tmux-terminal.js';

const HOST_CONFIG = `
shutdownTimeout = "1s"
[queues.mail]
concurrency = 1
pollTime = "100ms"
[handlers.demo]
builtin = "sleep"
options = { ms = 30000 }
[metrics]
enabled = false
`;

useConsoleSessions();

describe('flexq console --redis URL against a separate headless host', () => {
  const t = useHeadlessHost('exe-console-remote', HOST_CONFIG);

  it('finds the queue and its worker, bulk-cancels marked jobs, cancels a running one, retries them all, and quits with 0', async () => {
    t.host = new FlexqProcess(['--headless'], { env: redisEnv(t.prefix), cwd: t.dir });
    await t.host.waitForLog(/^flexq running/);
    const mail = t.queue.queue('mail');
    const jobs = await mail.pushBulk([{ type: 'demo' }, { type: 'demo' }, { type: 'demo' }]);
    await waitFor('one job running on the host', async () => (await mail.getStats()).processingJobs === 1);

    const folder = await tempFolder();
    const terminal = new TmuxTerminal(folder.dir, 100, 30);
    onCleanup(async () => {
      await terminal.kill();
      await folder.remove();
    });
    await terminal.start([process.execPath, FLEXQ_BIN, 'console', '--redis', REDIS_URL], { cwd: folder.dir, env: childEnv({ FLEXQ_REDIS_PREFIX: t.prefix }) });
    const session = { terminal, prefix: t.prefix, dir: folder.dir };
    const first = await terminal.waitForScreen((s) => queueRow(s, 'mail')[2] === '2' && queueRow(s, 'mail')[4] === '1', 'queue mail, found in Redis: 2 pending, 1 running');
    expect(first).toContain('no workers here');

    // The two waiting jobs: mark the tab, cancel in bulk.
    // Keys sent together can reach flexq in one read, as one unknown key: wait between them.
    await terminal.press('1');
    await terminal.waitForScreen((s) => s.includes('Space mark') && s.split('\n').filter((l) => / demo /.test(l)).length === 2, 'the pending tab, focused');
    await terminal.press('Space');
    await terminal.waitForScreen((s) => s.includes('1 marked'), 'one job marked');
    await terminal.press('Down', 'Space');
    await terminal.waitForScreen((s) => s.includes('2 marked'), 'two jobs marked');
    await terminal.press('C');
    await terminal.waitForScreen((s) => s.includes('Cancel 2 marked pending jobs of queue mail? y/n'), 'the question with the count');
    await terminal.press('y');
    await waitFor('two jobs cancelled in Redis', async () => (await mail.getStats()).cancelledJobs === 2);

    // The running one, on the other host: its detail, c, y.
    await terminal.press('3');
    await terminal.waitForScreen((s) => s.includes('PROGRESS') && / demo /.test(s), 'the processing tab');
    await terminal.press('Enter');
    await terminal.waitForScreen((s) => /Job \S+ · mail · processing/.test(s), 'the running job');
    await terminal.press('c');
    await terminal.waitForScreen((s) => s.includes('? y/n'), 'asked');
    await terminal.press('y');
    await waitFor('every job cancelled', async () => (await mail.getStats()).cancelledJobs === 3);

    // All three back: the whole cancelled tab, retried.
    // Esc and a key right after it would reach flexq as one Alt-key: wait for the jobs pane between.
    await terminal.press('Escape');
    await terminal.waitForScreen((s) => s.includes('no processing jobs'), 'back in the jobs pane');
    // Keys sent together can reach flexq in one read, as one unknown key: wait between them.
    await terminal.press('7');
    await terminal.waitForScreen((s) => s.split('\n').filter((l) => / demo /.test(l)).length === 3, 'the cancelled tab');
    await terminal.press('A');
    await terminal.waitForScreen((s) => s.includes('all 3 marked'), 'the tab marked');
    await terminal.press('R');
    await terminal.waitForScreen((s) => s.includes('Retry every cancelled job (3 now) of queue mail? y/n'), 'the retry question');
    await terminal.press('y');
    await waitFor('the jobs waiting or running again', async () => {
      const stats = await mail.getStats();
      return stats.cancelledJobs === 0 && stats.pendingJobs + stats.processingJobs === 3;
    });
    expect(await Promise.all(jobs.map((job) => mail.getJobStatus(job.id)))).not.toContain('cancelled');

    // The workers view shows the host's worker, by its pid; the console itself runs none.
    await terminal.press('w');
    await terminal.waitForScreen((s) => s.includes(String(t.host!.pid)), 'the headless host in the workers view');
    expect((await mail.getWorkers()).map((worker) => worker.pid)).toEqual([t.host.pid]);

    await terminal.press('q');
    expect(await exitStatus(session, 15_000)).toBe(0);
  }, 90_000);
});
