/**
 * The built `flexq` console in a real terminal, from outside: pasted text, signals from a service
 * manager or a closing terminal, Ctrl-C twice, and `--read-only`.
 */
import { describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { REDIS_URL, waitFor } from '../helpers.js';
import { CONFIG, exitStatus, flexqPid, queueRow, startConsole, type ConsoleSession, onCleanup, useConsoleSessions } from './console-session.js';

useConsoleSessions();

async function queueOf(session: ConsoleSession): Promise<RedisQueue> {
  const queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix: session.prefix });
  onCleanup(() => queue.close());
  return queue;
}

const drawn = (s: string) => s.includes('connected') && s.includes('QUEUE');

/** The terminal as flexq left it: line editing and echo back on, cursor shown. */
async function expectTerminalRestored(session: ConsoleSession): Promise<void> {
  const stty = await session.terminal.sttyAfterExit();
  expect(stty, stty).toMatch(/(^|\s)icanon(\s|;|$)/);
  expect(stty, stty).toMatch(/(^|\s)echo(\s|;|$)/);
  // The console hides the cursor while it draws (ESC[?25l); the last word must be to show it (ESC[?25h).
  // tmux may still be piping the last bytes when the status file appears.
  await waitFor('the cursor shown again at the end', async () => {
    const modes = [...(await session.terminal.output()).matchAll(/\u001b\[\?25([hl])/g)].map((m) => m[1]);
    return modes.length > 0 && modes[modes.length - 1] === 'h';
  }, { timeoutMs: 2_000, intervalMs: 50 });
}

describe('flexq console: input, signals and read-only', () => {
  it('text pasted in one chunk goes into the search and the log filter, its newline applies it', async () => {
    const session = await startConsole();
    const { terminal } = session;
    const queue = await queueOf(session);
    await terminal.waitForScreen(drawn, 'the console');
    // No handler for this type: it fails for good at once, and the host logs that with its id.
    const job = await queue.push({ type: 'unhandled' });
    await waitFor('the job failed', async () => (await queue.getJobStatus(job.id)) === 'failed');

    await terminal.press('/');
    await terminal.waitForScreen((s) => s.includes('search (id, type, payload, error; age>1h, age<5m):'), 'the search line');
    await terminal.paste(`${job.id}\n`);
    await terminal.waitForScreen((s) => s.includes(`Job ${job.id} · default · failed`), 'the job the pasted id names');

    await terminal.press('l');
    await terminal.waitForScreen((s) => s.includes('Logs  level'), 'the log view');
    await terminal.press('f');
    await terminal.waitForScreen((s) => s.includes('log filter, job id:'), 'the log filter line');
    await terminal.paste(`${job.id}\n`);
    await terminal.waitForScreen((s) => s.includes(`job ${job.id}  (`) && !s.includes('log filter, job id:'), 'the log filtered by the pasted id');
  }, 60_000);

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`${signal} stops the console host gracefully: running jobs handed back, terminal restored, exit 0`, async () => {
      const session = await startConsole();
      const queue = await queueOf(session);
      await session.terminal.waitForScreen(drawn, 'the console');
      const job = await queue.push({ type: 'demo' });
      await session.terminal.waitForScreen((s) => queueRow(s, 'default')[4] === '1', 'the job processing');
      const pid = await flexqPid(session.dir);
      const sentAt = Date.now();
      process.kill(pid, signal);
      // shutdownTimeout is 1 s: the running job is handed back after it, then the console quits.
      expect(await exitStatus(session, 8_000)).toBe(0);
      expect(Date.now() - sentAt).toBeLessThan(6_000);
      await expectTerminalRestored(session);
      expect(await queue.getJobStatus(job.id)).toBe('pending');
    }, 60_000);
  }

  it('Ctrl-C quits gracefully; Ctrl-C again while it waits for running jobs exits at once', async () => {
    // A long shutdown timeout: only the second Ctrl-C can make the exit quick.
    const session = await startConsole({ config: CONFIG.replace('shutdownTimeout = "1s"', 'shutdownTimeout = "60s"') });
    const queue = await queueOf(session);
    await session.terminal.waitForScreen(drawn, 'the console');
    await queue.push({ type: 'demo' });
    await session.terminal.waitForScreen((s) => queueRow(s, 'default')[4] === '1', 'the job processing');
    await session.terminal.press('C-c');
    await session.terminal.waitForScreen((s) => s.includes('Quitting: waiting for 1 job in flight'), 'the graceful quit waiting');
    await session.terminal.press('C-c');
    expect(await exitStatus(session, 5_000)).toBe(1);
    await expectTerminalRestored(session);
  }, 60_000);

  it('--read-only runs no workers: the header says so and pushed jobs stay pending', async () => {
    const session = await startConsole({ args: ['--read-only'] });
    const queue = await queueOf(session);
    const screen = await session.terminal.waitForScreen((s) => drawn(s) && s.includes('[read-only]'), 'the read-only console');
    expect(screen).toContain('no workers (read-only)');
    expect(screen).not.toMatch(/pool \d+\/\d+/);
    const jobs = [await queue.push({ type: 'demo' }), await queue.push({ type: 'demo' })];
    await session.terminal.waitForScreen((s) => queueRow(s, 'default')[2] === '2', 'both jobs pending in the queues table');
    // pollTime is 200 ms: a worker of this host would have claimed them many times over.
    await expect(waitFor('a claim', async () => (await queue.getStats()).processingJobs > 0, { timeoutMs: 1_500 })).rejects.toThrow(/timed out/);
    for (const job of jobs) expect(await queue.getJobStatus(job.id)).toBe('pending');
    expect(await queue.getWorkers()).toEqual([]);
  }, 60_000);
});
