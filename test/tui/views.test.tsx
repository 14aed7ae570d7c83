import { afterEach, describe, expect, it } from 'vitest';
import { KEYMAP } from '../../src/tui/keymap.js';
import { KEY, openHarness, type Harness } from './harness.js';
import { waitFor } from '../helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('views', () => {
  it('read-only hides and ignores every action that changes anything', async () => {
    h = await openHarness({ readOnly: true });
    const job = await h.queue.push({ type: 'x', priority: 1 });
    await h.press(KEY.enter);
    const jobs = await h.frame((f) => f.includes(job.id), 'the job');
    expect(jobs).toContain('[read-only]');
    for (const hint of ['c cancel', 'r retry', '+ prio', 'p pause']) expect(jobs).not.toContain(hint);
    await h.press('c', 'p', '+', 'w');
    await h.frame('Workers', 'keys after the ignored ones were handled');
    expect(h.lastFrame()).not.toContain('y/n');
    expect(await h.queue.isPaused()).toBe(false);
    expect((await h.queue.getJob(job.id))!.priority).toBe(1);
    await h.press('?');
    const help = await h.frame('Keys (read-only', 'help in read-only mode');
    expect(help).not.toMatch(/cancel a pending/);
  });

  it('? lists every binding of the key map', async () => {
    h = await openHarness();
    await h.press('?');
    await h.frame('Keys', 'the help screen');
    const seen = new Set<string>();
    for (let i = 0; i < 60; i++) {
      for (const line of h.lastFrame().split('\n')) seen.add(line.trim().replace(/\s+/g, ' '));
      await h.press('j');
    }
    const text = [...seen].join('\n');
    for (const binding of KEYMAP) expect(text, binding.description).toContain(`${binding.label} ${binding.description}`);
    await h.press(KEY.escape);
    await h.frame('QUEUE', 'back to the queues');
  });

  it('l shows the log tail, filtered by level (e) and job id (f)', async () => {
    h = await openHarness({ handlers: { chatty: (ctx) => { ctx.logger.debug('debug detail'); return { success: true }; } } });
    const a = await h.queue.push({ type: 'chatty' });
    const b = await h.queue.push({ type: 'chatty' });
    await waitFor('both done', async () => (await h!.queue.getStats()).completedJobs === 2);
    h.logs.logger.warn('disk almost full');
    h.logs.logger.error({ jobId: b.id }, 'escape \u001b]52;c;ZXZpbA==\u0007attempt');
    await h.press('l');
    await h.frame((f) => f.includes('debug detail') && f.includes('disk almost full'), 'all lines');
    expect(h.lastFrame()).not.toContain('\u001b]52');
    expect(h.lastFrame()).toContain('escape attempt');
    await h.press('e', 'e', 'e'); // all → debug → info → warn
    await h.frame((f) => f.includes('level ≥ warn') && f.includes('disk almost full') && !f.includes('job completed'), 'warn and up');
    await h.press('e', 'e', 'f'); // → error → all, then the job filter
    await h.frame('log filter, job id:', 'the job filter line');
    await h.press(...a.id.split(''), KEY.enter);
    await h.frame((f) => f.includes(`job ${a.id}`) && f.includes('debug detail') && !f.includes('disk almost full') && !f.includes(b.id), 'only job a');
  });

  it('w shows the workers serving the queues, with busy / concurrency', async () => {
    h = await openHarness({ queueNames: ['q1', 'q2'], numWorkers: 3, handlers: { noop: () => ({ success: true }) } });
    await h.press('w');
    const frame = await h.frame((f) => f.includes('q1') && f.includes('q2') && f.includes('0/3'), 'a row per queue');
    expect(frame).toContain('healthy');
    expect(frame).toContain('Workers (all hosts, from heartbeats)');
    expect(frame).toContain(String(process.pid));
    await h.press(KEY.escape);
    await h.frame('QUEUE', 'back');
  });

  it('Tab switches panes and Enter/Esc move between queues, jobs and detail', async () => {
    h = await openHarness({ queueNames: ['a', 'b'] });
    const job = await h.queues[1]!.push({ type: 'in-b' });
    await h.press(KEY.down, KEY.tab);
    await h.frame((f) => f.includes(job.id), 'jobs of queue b');
    expect(h.store.getState().view).toBe('jobs');
    await h.press(KEY.enter);
    await h.frame(`Job ${job.id}`, 'detail');
    await h.press(KEY.escape);
    await waitFor('jobs pane', () => h!.store.getState().view === 'jobs');
    await h.press(KEY.escape);
    await waitFor('queues pane', () => h!.store.getState().view === 'queues');
  });
});
