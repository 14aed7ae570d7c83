import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import type { Job, QueueStats } from '../../src/index.js';
import { KEYMAP, allBindings, bindingsFor, dispatchKey, hintOf, keyName, type ConsoleCommands, type KeyContext } from '../../src/tui/keymap.js';
import { STATUS_TABS, createConsoleStore } from '../../src/tui/store.js';
import { footerHints } from '../../src/tui/components/Footer.js';
import { helpLines } from '../../src/tui/components/HelpView.js';

const noKey: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
  super: false, hyper: false, capsLock: false, numLock: false,
};

function context(readOnly = false) {
  const calls: string[] = [];
  const commands: ConsoleCommands = {
    cancel: async (job: Job) => void calls.push(`cancel ${job.id}`),
    retry: async (job: Job) => void calls.push(`retry ${job.id}`),
    changePriority: async (job: Job, delta: number) => void calls.push(`priority ${job.id} ${delta}`),
    togglePause: async (queue: string) => void calls.push(`pause ${queue}`),
    remove: async (job: Job) => void calls.push(`remove ${job.id}`),
    bulk: async (action, marks) => void calls.push(`${action} ${marks.all ? 'all' : marks.ids.join(',')}`),
    toggleSchedulePause: async (schedule) => void calls.push(`pause schedule ${schedule.name}`),
    triggerSchedule: async (schedule) => void calls.push(`run schedule ${schedule.name}`),
  };
  const store = createConsoleStore({ queues: ['q'], readOnly });
  const ctx: KeyContext = { store, commands, quit: () => calls.push('quit'), forceQuit: () => calls.push('force quit') };
  return { ctx, store, calls };
}

const aJob: Job = {
  id: 'j1', queue: 'q', type: 't', payload: {}, status: 'processing', attempts: 1, maxAttempts: 3, priority: 0, delay: 0,
  createdAt: new Date(0), enteredAt: new Date(0),
};

const emptyStats: QueueStats = { pendingJobs: 0, delayedJobs: 0, processingJobs: 0, retryingJobs: 0, completedJobs: 0, failedJobs: 0, cancelledJobs: 0 };

/** A console's state, as the footer reads it (read-only or not). */
const stateOf = (readOnly = false) => createConsoleStore({ queues: ['q'], readOnly }).getState();

describe('key map', () => {
  it('no key is bound twice in one scope', () => {
    const scopes = new Set(KEYMAP.flatMap((b) => b.scopes));
    for (const scope of scopes) {
      const keys = bindingsFor(scope, false).flatMap((b) => b.keys);
      expect(new Set(keys).size, scope).toBe(keys.length);
    }
  });

  it('names keys as the table spells them', () => {
    expect(keyName('', { ...noKey, upArrow: true })).toBe('up');
    expect(keyName('', { ...noKey, return: true })).toBe('enter');
    expect(keyName('', { ...noKey, escape: true, meta: true })).toBe('escape');
    expect(keyName('', { ...noKey, tab: true, shift: true })).toBe('shift-tab');
    expect(keyName('c', { ...noKey, ctrl: true })).toBe('ctrl-c');
    expect(keyName('+', noKey)).toBe('+');
  });

  it('read-only removes every binding that mutates, from handling, footer and help', () => {
    const mutating = KEYMAP.filter((b) => b.mutates);
    expect(mutating.map((b) => b.keys[0])).toEqual(expect.arrayContaining(['c', 'r', '+', '-', 'p']));
    expect(allBindings(true).some((b) => b.mutates)).toBe(false);
    expect(footerHints('jobs', stateOf(true), 200, aJob)).not.toMatch(/cancel|retry|pause|prio/);
    expect(footerHints('jobs', stateOf(), 200, aJob)).toMatch(/c cancel/);
    expect(helpLines(true).map((l) => l.text).join('\n')).not.toContain('cancel a pending');
    const { ctx, store, calls } = context(true);
    store.setState({ view: 'jobs', page: { queue: 'q', tab: 'processing', offset: 0, jobs: [aJob] } });
    expect(dispatchKey('jobs', 'c', ctx)).toBe(false);
    expect(dispatchKey('jobs', 'p', ctx)).toBe(false);
    expect(calls).toEqual([]);
  });

  it('a dangerous binding asks first and acts on yes', () => {
    const { ctx, store, calls } = context();
    store.setState({ view: 'jobs', page: { queue: 'q', tab: 'processing', offset: 0, jobs: [aJob] } });
    expect(dispatchKey('jobs', 'c', ctx)).toBe(true);
    expect(store.getState().prompt?.message).toBe('Cancel job j1 (t, processing)? y/n');
    expect(calls).toEqual([]);
    dispatchKey('prompt', 'y', ctx);
    expect(calls).toEqual(['cancel j1']);
  });

  it('a y/n answer acts on the job the question named, whatever is selected by then', () => {
    const { ctx, store, calls } = context();
    const other: Job = { ...aJob, id: 'j2' };
    store.setState({ view: 'jobs', page: { queue: 'q', tab: 'processing', offset: 0, jobs: [aJob, other] } });
    dispatchKey('jobs', 'c', ctx);
    expect(store.getState().prompt?.message).toBe('Cancel job j1 (t, processing)? y/n');
    // The list moves under the open question: j1 is gone and j2 takes its row.
    store.getState().setPage({ queue: 'q', tab: 'processing', offset: 0, jobs: [other] });
    dispatchKey('prompt', 'y', ctx);
    expect(calls).toEqual(['cancel j1']);
  });

  it('Ctrl-C quits from every scope, and quits at once while a quit waits', () => {
    const { ctx, store, calls } = context();
    for (const scope of ['queues', 'jobs', 'detail', 'workers', 'logs', 'help', 'prompt', 'input'] as const) {
      expect(dispatchKey(scope, 'ctrl-c', ctx), scope).toBe(true);
    }
    expect(calls.every((c) => c === 'quit')).toBe(true);
    store.getState().setQuitting(1);
    dispatchKey('quitting', 'ctrl-c', ctx);
    expect(calls[calls.length - 1]).toBe('force quit');
  });

  it('bindings reach the commands and the store', () => {
    const { ctx, store, calls } = context();
    store.setState({ view: 'jobs', page: { queue: 'q', tab: 'pending', offset: 0, jobs: [{ ...aJob, status: 'pending' }] } });
    dispatchKey('jobs', '+', ctx);
    dispatchKey('jobs', '-', ctx);
    dispatchKey('jobs', 'r', ctx); // refused: a pending job
    store.setState({ page: { queue: 'q', tab: 'failed', offset: 0, jobs: [{ ...aJob, status: 'failed' }] } });
    dispatchKey('jobs', 'r', ctx);
    dispatchKey('jobs', 'p', ctx);
    dispatchKey('jobs', '4', ctx);
    expect(store.getState().tab).toBe('retrying');
    dispatchKey('jobs', 'q', ctx);
    expect(calls).toEqual(['priority j1 1', 'priority j1 -1', 'retry j1', 'pause q', 'quit']);
    expect(dispatchKey('jobs', 'Z', ctx)).toBe(false);
  });

  it('the footer offers r (retry) only for a failed or cancelled job', () => {
    for (const status of ['failed', 'cancelled'] as const) expect(footerHints('detail', stateOf(), 200, { ...aJob, status }), status).toContain('r retry');
    for (const status of ['pending', 'processing', 'completed'] as const) expect(footerHints('detail', stateOf(), 200, { ...aJob, status }), status).not.toContain('r retry');
  });

  it('the footer offers c (cancel) only for a job that can be cancelled', () => {
    for (const status of ['pending', 'retrying', 'processing'] as const) {
      expect(footerHints('detail', stateOf(), 200, { ...aJob, status }), status).toContain('c cancel');
    }
    for (const status of ['completed', 'failed', 'cancelled'] as const) {
      expect(footerHints('detail', stateOf(), 200, { ...aJob, status }), status).not.toContain('c cancel');
      expect(footerHints('jobs', stateOf(), 200, { ...aJob, status }), status).not.toContain('c cancel');
    }
  });

  it('the footer offers + (priority) only for a waiting job, and no job key while no job is selected', () => {
    for (const status of ['pending', 'retrying'] as const) expect(footerHints('detail', stateOf(), 200, { ...aJob, status }), status).toContain('+ prio±');
    for (const status of ['processing', 'completed', 'cancelled'] as const) {
      expect(footerHints('jobs', stateOf(), 200, { ...aJob, status }), status).not.toContain('+ prio±');
    }
    const empty = footerHints('jobs', stateOf(), 200, null);
    expect(empty).not.toMatch(/c cancel|r retry|prio/);
    expect(empty).toMatch(/1–7 tabs/);
  });

  it('refuses + and - on a running job, naming what can change priority', () => {
    const { ctx, store, calls } = context();
    store.setState({ view: 'jobs', page: { queue: 'q', tab: 'processing', offset: 0, jobs: [aJob] } });
    dispatchKey('jobs', '+', ctx);
    expect(calls).toEqual([]);
    expect(store.getState().toasts.at(-1)?.text).toBe('job j1 is processing: only pending, delayed or retrying jobs change priority');
  });

  it('the footer says resume for a paused queue and pause for a running one', () => {
    const { store } = context();
    expect(footerHints('queues', store.getState(), 200, null)).toMatch(/p pause/);
    store.setState({ queues: store.getState().queues.map((row) => ({ ...row, paused: true })) });
    expect(footerHints('queues', store.getState(), 200, null)).toMatch(/p resume/);
  });

  it('the footer always keeps help and quit, even at 80 columns', () => {
    for (const scope of ['queues', 'jobs', 'detail', 'logs', 'workers', 'help'] as const) {
      const hints = footerHints(scope, stateOf(), 80, aJob);
      expect(hints.length).toBeLessThanOrEqual(80);
      expect(hints).toMatch(/\? help {2}q quit$/);
    }
  });
});

describe('the footer on every status tab', () => {
  const statusOf = { pending: 'pending', delayed: 'pending', processing: 'processing', retrying: 'retrying', failed: 'failed', completed: 'completed', cancelled: 'cancelled' } as const;
  /** A console on `tab` of queue q, one job of that tab listed (and marked, when `marked`), in `view`. */
  const on = (tab: keyof typeof statusOf, view: 'jobs' | 'detail', marked: boolean) => {
    const { ctx, store, calls } = context();
    const job: Job = { ...aJob, status: statusOf[tab], ...(tab === 'delayed' ? { runAt: new Date(Date.now() + 3_600_000) } : {}) };
    store.setState({
      view, tab, page: { queue: 'q', tab, offset: 0, jobs: [job] }, detail: { queue: 'q', id: job.id, job, missing: false, scroll: 0 },
      marks: marked ? { queue: 'q', tab, ids: [job.id], all: false } : null,
    });
    return { ctx, store, calls, job, hints: footerHints(view, store.getState(), 400, job) };
  };

  it('offers only keys that act: none of them refuses', () => {
    for (const tab of STATUS_TABS) {
      for (const view of ['jobs', 'detail'] as const) {
        for (const marked of [false, true]) {
          const offered = bindingsFor(view, false).filter((b) => b.hint && on(tab, view, marked).hints.includes(`${b.label} ${hintOf(b, stateOf())}`));
          for (const binding of offered) {
            const { ctx, store } = on(tab, view, marked);
            dispatchKey(view, binding.keys[0]!, ctx);
            expect(store.getState().toasts.filter((t) => t.level === 'error').map((t) => t.text), `${binding.label} on ${tab} (${view}, marked ${marked})`).toEqual([]);
          }
        }
      }
    }
  });

  it('offers d (delete) on a finished job and D on its marked tab; R only where retry applies', () => {
    for (const tab of ['completed', 'failed', 'cancelled'] as const) {
      expect(on(tab, 'jobs', false).hints, tab).toContain('d delete');
      expect(on(tab, 'detail', false).hints, tab).toContain('d delete');
      expect(on(tab, 'jobs', true).hints, tab).toContain('D delete marked');
    }
    expect(on('completed', 'jobs', true).hints).not.toMatch(/R retry marked|C cancel marked/);
    expect(on('completed', 'jobs', false).hints).not.toMatch(/r retry|c cancel|R retry/);
    expect(on('failed', 'jobs', true).hints).toContain('R retry marked');
    for (const tab of ['pending', 'delayed', 'processing', 'retrying'] as const) {
      const { hints } = on(tab, 'jobs', true);
      expect(hints, tab).toContain('C cancel marked');
      expect(hints, tab).not.toMatch(/R retry marked|D delete marked|d delete/);
    }
    // Nothing marked: no bulk key acts yet.
    expect(on('failed', 'jobs', false).hints).not.toMatch(/R retry marked|D delete marked/);
  });

  it('offers page keys only when the tab has more than one page', () => {
    expect(on('pending', 'jobs', false).hints).not.toMatch(/PgDn\/\] page|G\/End last|: page#/);
    const { store } = on('pending', 'jobs', false);
    store.setState({ queues: store.getState().queues.map((row) => ({ ...row, stats: { ...emptyStats, pendingJobs: 25 } })) });
    expect(footerHints('jobs', store.getState(), 400, aJob)).toMatch(/PgDn\/\] page/);
  });
});
