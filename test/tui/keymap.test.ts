import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import type { Job } from '../../src/index.js';
import { KEYMAP, allBindings, bindingsFor, dispatchKey, keyName, type ConsoleCommands, type KeyContext } from '../../src/tui/keymap.js';
import { createConsoleStore } from '../../src/tui/store.js';
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
