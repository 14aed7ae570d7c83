/** Keys of the README's table that had no test: arrows, k, the real PgDn/PgUp, Esc in a prompt or while typing, search by type. */
import { afterEach, describe, expect, it } from 'vitest';
import { KEY, openHarness, type Harness } from './harness.js';
import { waitFor } from '../helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

const state = () => h!.store.getState();

describe('the jobs pane', () => {
  it('→ and ← move to the next and previous status tab', async () => {
    h = await openHarness();
    const pending = await h.queue.push({ type: 'now' });
    const delayed = await h.queue.pushDelayed({ type: 'later' }, 3_600_000);
    await h.press(KEY.enter);
    await h.frame((f) => f.includes(pending.id) && !f.includes(delayed.id), 'the pending tab');
    await h.press(KEY.right);
    await h.frame((f) => f.includes(delayed.id) && !f.includes(pending.id), 'the delayed tab');
    expect(state().tab).toBe('delayed');
    await h.press(KEY.right);
    await waitFor('the processing tab', () => state().tab === 'processing');
    await h.press(KEY.left, KEY.left);
    await h.frame((f) => f.includes(pending.id) && !f.includes(delayed.id), 'back on the pending tab');
  });

  it('↑ and k select the previous job (Enter opens the one selected)', async () => {
    h = await openHarness();
    const [a, b, c] = await h.queue.pushBulk([{ type: 'a' }, { type: 'b' }, { type: 'c' }]);
    await h.press(KEY.enter);
    await h.frame((f) => [a, b, c].every((job) => f.includes(job!.id)), 'three jobs, newest first');
    const open = async (id: string, what: string) => {
      await h!.press(KEY.enter);
      await h!.frame(`Job ${id}`, what);
      await h!.press(KEY.escape);
      await h!.frame('LAST ERROR', 'back in the jobs pane');
    };
    await h.press(KEY.down, KEY.down); // c (newest), b, a
    await open(a!.id, 'the last row');
    await h.press(KEY.up);
    await open(b!.id, 'one up with ↑');
    await h.press('k');
    await open(c!.id, 'one more up with k');
  });

  it('the real PgDn and PgUp keys (escape sequences) turn pages', async () => {
    h = await openHarness();
    await h.queue.pushBulk(Array.from({ length: 25 }, (_, i) => ({ type: 'paged', payload: { i } })));
    await h.press(KEY.enter);
    const first = await h.frame(/page 1\/[2-9]/, 'page 1 of several');
    const pages = Number(/page 1\/(\d+)/.exec(first)![1]);
    expect(pages).toBeGreaterThan(1);
    await h.press(KEY.pageDown);
    await h.frame(`page 2/${pages}`, 'page 2 after PgDn');
    expect(state().offset).toBe(state().pageSize);
    await h.press(KEY.pageUp);
    await h.frame(`page 1/${pages}`, 'page 1 after PgUp');
    expect(state().offset).toBe(0);
  });

  it('/ finds jobs by type', async () => {
    h = await openHarness();
    const wanted = await h.queue.push({ type: 'invoice-render', payload: { n: 1 } });
    const other = await h.queue.push({ type: 'thumbnail', payload: { n: 2 } });
    await h.press(KEY.enter);
    await h.frame((f) => f.includes(wanted.id) && f.includes(other.id), 'both jobs');
    await h.press('/', ...'invoice'.split(''), KEY.enter);
    await h.frame((f) => f.includes('1 match(es) for "invoice"') && f.includes(wanted.id) && !f.includes(other.id), 'only the invoice job');
  });
});

describe('Esc', () => {
  it('at the y/n prompt says no, and stays in the jobs pane', async () => {
    h = await openHarness();
    const job = await h.queue.push({ type: 'keep' });
    await h.press(KEY.enter);
    await h.frame(job.id, 'the job');
    await h.press('c');
    await h.frame(`Cancel job ${job.id}`, 'the prompt');
    await h.press(KEY.escape);
    await h.frame((f) => !f.includes('y/n') && f.includes(job.id), 'the prompt gone');
    expect(state().prompt).toBeNull();
    expect(state().view).toBe('jobs');
    expect(await h.queue.getJobStatus(job.id)).toBe('pending');
  });

  it('while typing cancels the typing only: no search applied, still in the jobs pane', async () => {
    h = await openHarness();
    const a = await h.queue.push({ type: 'alpha' });
    const b = await h.queue.push({ type: 'beta' });
    await h.press(KEY.enter);
    await h.frame((f) => f.includes(a.id) && f.includes(b.id), 'both jobs');
    await h.press('/', ...'alpha'.split(''));
    await h.frame('search (id, type, payload, error; age>1h, age<5m): alpha', 'typing');
    await h.press(KEY.escape);
    await h.frame((f) => !f.includes('search (id') && f.includes(a.id) && f.includes(b.id), 'typing cancelled, both jobs still listed');
    expect(state().input).toBeNull();
    expect(state().search).toBeNull();
    expect(state().view).toBe('jobs');
  });
});

describe('k scrolls back up', () => {
  it('in the job detail', async () => {
    h = await openHarness();
    const payload = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, `value ${i}`]));
    const job = await h.queue.push({ type: 'big', payload });
    await h.press(KEY.enter);
    await h.frame(job.id, 'the job');
    await h.press(KEY.enter);
    // The title says which lines show: (first-last/total, ↑↓ scroll).
    await h.frame((f) => f.includes(`Job ${job.id}`) && /\(1-\d+\/\d+/.test(f), 'the detail, from its top');
    for (let i = 0; i < 6; i++) await h.press('j');
    await h.frame(/\(7-\d+\/\d+/, 'scrolled down 6 lines with j');
    await h.press('k', 'k', 'k');
    await h.frame(/\(4-\d+\/\d+/, 'up 3 lines with k');
    await h.press('k', 'k', 'k');
    await h.frame(/\(1-\d+\/\d+/, 'back at the top with k');
    expect(h.lastFrame()).toContain('"field0": "value 0"');
  });

  it('in the help', async () => {
    h = await openHarness();
    await h.press('?');
    const top = await h.frame('Keys', 'the help from its top');
    const firstLine = (frame: string) => frame.split('\n').find((line) => line.trim() !== '' && !line.startsWith('flexq'))!;
    for (let i = 0; i < 5; i++) await h.press('j');
    await h.frame((f) => firstLine(f) !== firstLine(top), 'scrolled down');
    expect(state().helpScroll).toBe(5);
    for (let i = 0; i < 5; i++) await h.press('k');
    await h.frame((f) => firstLine(f) === firstLine(top), 'back at the top with k');
    expect(state().helpScroll).toBe(0);
  });
});

describe('keys typed faster than the console reads them', () => {
  it('"cy" in one chunk asks and answers: the running job is cancelled', async () => {
    h = await openHarness({
      handlers: { held: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ success: true }))) },
    });
    const job = await h.queue.push({ type: 'held' });
    await waitFor('running', async () => (await h!.queue.getJobStatus(job.id)) === 'processing');
    await h.press('3');
    await h.frame((f) => f.includes(job.id), 'the running job in tab 3');
    await h.press('cy');
    await waitFor('cancelled by one chunk', async () => (await h!.queue.getJobStatus(job.id)) === 'cancelled');
  });

  it('the rest of a chunk after / goes into the search line', async () => {
    h = await openHarness();
    const job = await h.queue.push({ type: 'findme' });
    await h.press(KEY.enter);
    await h.frame(job.id, 'the pending tab');
    await h.press('/findme');
    await waitFor('the search line holds the text', () => state().input?.text === 'findme');
  });
});

describe('Backspaces arriving together', () => {
  it('each erases one character of the search, in order with the text around them', async () => {
    h = await openHarness();
    await h.press('/', 'xyz');
    await h.frame('age<5m): xyz', 'typed xyz');
    await h.press(`${KEY.backspace}${KEY.backspace}`);
    await h.frame((f) => f.includes('age<5m): x') && !f.includes('age<5m): xy'), 'two Backspaces in one chunk erase two characters');
    await h.press(`ab${KEY.backspace}c`, '\b');
    await h.frame((f) => f.includes('age<5m): xa') && !f.includes('age<5m): xac'), 'a mixed chunk, then a BS, apply in order');
    expect(state().input?.text).toBe('xa');
  });

  it('each erases one character of the log filter', async () => {
    h = await openHarness();
    await h.press('l', 'f', 'abcdef');
    await h.frame('log filter, job id: abcdef', 'typed abcdef');
    await h.press(KEY.backspace.repeat(3));
    await h.frame((f) => f.includes('log filter, job id: abc') && !f.includes('job id: abcd'), 'three Backspaces in one chunk erase three characters');
    await h.press(KEY.enter);
    await waitFor('the filter applied', () => state().logFilter.jobId === 'abc');
  });
});
