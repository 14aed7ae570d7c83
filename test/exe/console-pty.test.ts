/**
 * The built `flexq` in a real terminal (a tmux pane, 100×30): the console draws, takes keys, and its
 * actions reach Redis. Issue 5 asks for this end to end: dispatch, open a running job, `c` `y`, check
 * in Redis that it is cancelled, `q` quits.
 */
import { describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { REDIS_URL, waitFor } from '../helpers.js';
import { processAlive } from './helpers.js';
import { exitStatus, flexqPid, queueRow, startConsole, onCleanup, useConsoleSessions } from './console-session.js';
import { colourEscapes } from './tmux-terminal.js';

useConsoleSessions();

describe('flexq console in a real terminal', () => {
  it('opens a running job, c + y cancels it in Redis, q quits and the process exits', async () => {
    const session = await startConsole();
    const { terminal, prefix, dir } = session;
    const queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix });
    onCleanup(() => queue.close());
    await terminal.waitForScreen((s) => s.includes('connected') && s.includes('QUEUE'), 'the console');
    const jobs = [await queue.push({ type: 'demo' }), await queue.push({ type: 'demo' })];
    await terminal.waitForScreen((s) => queueRow(s, 'default')[4] === '2', 'both jobs processing in the queues table');

    // The keymap: 3 selects the processing tab (and the jobs pane), Enter opens the selected job.
    await terminal.press('3');
    // The processing tab has a PROGRESS column, and its rows are the two running demo jobs.
    await terminal.waitForScreen((s) => s.includes('PROGRESS') && s.split('\n').filter((l) => / demo /.test(l)).length === 2, 'the processing tab');
    await terminal.press('Enter');
    const detail = await terminal.waitForScreen((s) => /Job \S+ · default · processing/.test(s), 'the running job\'s detail');
    const id = /Job (\S+) · default · processing/.exec(detail)![1]!;
    expect((await queue.getJob(id))?.status).toBe('processing');

    await terminal.press('c');
    await terminal.waitForScreen((s) => s.includes(`Cancel job ${id} (demo, processing)? y/n`), 'the y/n question');
    await terminal.press('y');
    await waitFor(`job ${id} cancelled in Redis`, async () => (await queue.getJob(id))?.status === 'cancelled');
    await terminal.waitForScreen((s) => s.includes(`cancelled ${id}`), 'the toast');

    const pid = await flexqPid(dir);
    await terminal.press('q');
    const status = await exitStatus(session, 15_000);
    expect(status).toBe(0);
    await waitFor('the pane to end', () => terminal.paneDead());
    expect(processAlive(pid)).toBe(false);
    // The cancelled job stays cancelled; the one still running at quit went back to the queue.
    expect((await queue.getJob(id))?.status).toBe('cancelled');
    const other = jobs.find((job) => job.id !== id)!;
    expect((await queue.getJob(other.id))?.status).toBe('pending');
  }, 60_000);

  it('redraws cleanly when the terminal gets narrower: no rows of the wider frame are left', async () => {
    const session = await startConsole();
    const { terminal } = session;
    await terminal.waitForScreen((s) => s.includes('connected') && s.includes('QUEUE'), 'the console');
    await terminal.resize(64, 30);
    await terminal.waitForScreen((s) => s.includes('QUEUE') && s.split('\n').every((l) => [...l].length <= 64), 'the narrow frame');
    // Past any redraw still under way, the screen holds one frame: one title line, one queues header.
    // (Before the wipe, the wider frame's rows stayed above it, re-wrapped by the terminal.)
    await new Promise((resolve) => setTimeout(resolve, 500));
    const screen = await terminal.capture();
    const count = (text: string) => screen.split('\n').filter((line) => line.includes(text)).length;
    expect(count('QUEUE'), screen).toBe(1);
    expect(count('connected'), screen).toBe(1);
    await terminal.press('q');
    expect(await exitStatus(session, 15_000)).toBe(0);
  }, 60_000);

  it('draws colours by default and none with NO_COLOR=1', async () => {
    const coloured = await startConsole();
    await coloured.terminal.waitForScreen((s) => s.includes('connected') && s.includes('QUEUE'), 'the console');
    expect(colourEscapes(await coloured.terminal.capture(true))).not.toEqual([]);

    const plain = await startConsole({ env: { NO_COLOR: '1' } });
    await plain.terminal.waitForScreen((s) => s.includes('connected') && s.includes('QUEUE'), 'the console without colours');
    const screen = await plain.terminal.capture(true);
    expect(screen).toMatch(/\u001b\[[0-9;]*m/); // bold and inverse stay: the capture does carry escapes
    expect(colourEscapes(screen), screen).toEqual([]);
  }, 60_000);
});
