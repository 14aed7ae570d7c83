/**
 * Every binding of the key table, pressed through `dispatchKey` on a real console store: what each
 * key does in each scope, as the help screen describes it. (keys.test.tsx presses some of them
 * in a rendered console; this covers the whole table, fast.)
 */
import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import type { Job, QueueStats } from '../../src/index.js';
import { KEYMAP, asksFirst, dispatchKey, keyName, type ConsoleCommands, type KeyContext } from '../../src/tui/keymap.js';
import { STATUS_TABS, createConsoleStore } from '../../src/tui/store.js';

const stats = (pendingJobs: number): QueueStats => ({
  pendingJobs, delayedJobs: 0, processingJobs: 0, retryingJobs: 0, completedJobs: 0, failedJobs: 0, cancelledJobs: 0,
});
const job = (id: string, queue = 'b'): Job => ({
  id, queue, type: 't', payload: {}, status: 'failed', attempts: 3, maxAttempts: 3, priority: 0, delay: 0,
  createdAt: new Date(0), enteredAt: new Date(0),
});

/** A store over queues a, b and c with b selected, its pending page of three jobs, and the calls made. */
function consoleOn(view: 'queues' | 'jobs' = 'jobs') {
  const calls: string[] = [];
  const commands: ConsoleCommands = {
    cancel: async (j) => void calls.push(`cancel ${j.id}`),
    retry: async (j) => void calls.push(`retry ${j.id}`),
    changePriority: async (j, delta) => void calls.push(`priority ${j.id} ${delta}`),
    togglePause: async (queue) => void calls.push(`pause ${queue}`),
    remove: async (j) => void calls.push(`remove ${j.id}`),
    bulk: async (action, marks) => void calls.push(`bulk ${action} ${marks.all ? "all" : marks.ids.join(",")}`),
    toggleSchedulePause: async (schedule) => void calls.push(`schedule pause ${schedule.name}`),
    triggerSchedule: async (schedule) => void calls.push(`schedule run ${schedule.name}`),
  };
  const store = createConsoleStore({ queues: ['a', 'b', 'c'] });
  store.getState().moveQueue(1);
  store.getState().patchQueue('b', { stats: stats(3) });
  store.getState().setPage({ queue: 'b', tab: 'pending', offset: 0, jobs: [job('j1'), job('j2'), job('j3')] });
  store.getState().open(view);
  const ctx: KeyContext = { store, commands, quit: () => calls.push('quit'), forceQuit: () => calls.push('force quit') };
  const press = (scope: Parameters<typeof dispatchKey>[0], ...names: string[]) => {
    for (const name of names) expect(dispatchKey(scope, name, ctx), `${scope}: ${name}`).toBe(true);
  };
  return { store, calls, press, state: () => store.getState() };
}

describe('key bindings, one by one', () => {
  it('queues: ↑/k and ↓/j move between queues, within the list', () => {
    for (const [up, down] of [['up', 'down'], ['k', 'j']]) {
      const c = consoleOn('queues');
      c.press('queues', down!);
      expect(c.state().selectedQueue).toBe(2);
      c.press('queues', down!);
      expect(c.state().selectedQueue).toBe(2);
      c.press('queues', up!, up!, up!);
      expect(c.state().selectedQueue).toBe(0);
    }
  });

  it('jobs: ↑/k and ↓/j move the selection; detail, help and logs: they scroll', () => {
    for (const [up, down] of [['up', 'down'], ['k', 'j']]) {
      const c = consoleOn();
      c.press('jobs', down!, down!);
      expect(c.state().selectedIndex).toBe(2);
      c.press('jobs', up!);
      expect(c.state().selectedIndex).toBe(1);
      c.press('jobs', 'enter');
      c.press('detail', down!, down!, up!);
      expect(c.state().detail!.scroll).toBe(1);
      c.press('detail', up!, up!);
      expect(c.state().detail!.scroll).toBe(0);
      c.press('detail', '?');
      c.press('help', down!, down!, up!);
      expect(c.state().helpScroll).toBe(1);
      c.press('help', up!, up!);
      expect(c.state().helpScroll).toBe(0);
    }
  });

  it('logs: ↑/k, PgUp, ↓/j, PgDn scroll by lines and pages; G and End follow the tail again', () => {
    const c = consoleOn();
    c.state().appendLogs(Array.from({ length: 30 }, (_, i) => ({ time: i, level: 'info', msg: `line ${i}`, raw: {} })));
    c.state().setLogRows(5);
    c.press('jobs', 'l');
    expect(c.state().view).toBe('logs');
    c.press('logs', 'up', 'k');
    expect(c.state().logScroll).toBe(2);
    c.press('logs', 'pageup');
    expect(c.state().logScroll).toBe(6); // a page keeps one line of the last
    c.press('logs', 'down', 'j');
    expect(c.state().logScroll).toBe(4);
    c.press('logs', 'pagedown');
    expect(c.state().logScroll).toBe(0);
    for (const key of ['G', 'end']) {
      c.press('logs', 'pageup', 'pageup');
      expect(c.state().logScroll).toBe(8);
      c.press('logs', key);
      expect(c.state().logScroll).toBe(0);
    }
  });

  it('Enter opens the queue, then the selected job; Esc goes back from every view', () => {
    const c = consoleOn('queues');
    c.press('queues', 'enter');
    expect(c.state().view).toBe('jobs');
    c.press('jobs', 'down', 'enter');
    expect(c.state()).toMatchObject({ view: 'detail', detail: { queue: 'b', id: 'j2', job: null, missing: false, scroll: 0 } });
    c.press('detail', 'escape');
    expect(c.state().view).toBe('jobs');
    for (const [key, view] of [['w', 'workers'], ['l', 'logs'], ['?', 'help']] as const) {
      c.press('jobs', key);
      expect(c.state().view).toBe(view);
      c.press(view, 'escape');
      expect(c.state().view).toBe('jobs');
    }
    c.press('jobs', 'escape');
    expect(c.state().view).toBe('queues');
  });

  it('Enter on an empty jobs pane opens nothing', () => {
    const c = consoleOn();
    c.state().setPage({ queue: 'b', tab: 'pending', offset: 0, jobs: [] });
    c.press('jobs', 'enter');
    expect(c.state()).toMatchObject({ view: 'jobs', detail: null });
  });

  it('Tab and Shift-Tab switch panes', () => {
    const c = consoleOn('queues');
    for (const key of ['tab', 'shift-tab']) {
      c.press('queues', key);
      expect(c.state().view).toBe('jobs');
      c.press('jobs', key);
      expect(c.state().view).toBe('queues');
    }
  });

  it('1–7 pick a status tab and show the jobs pane; ← and → step through the tabs, wrapping', () => {
    STATUS_TABS.forEach((tab, i) => {
      const c = consoleOn('queues');
      c.press('queues', String(i + 1));
      expect(c.state()).toMatchObject({ tab, view: 'jobs' });
    });
    const c = consoleOn();
    c.press('jobs', 'right');
    expect(c.state().tab).toBe('delayed');
    c.press('jobs', 'left', 'left');
    expect(c.state().tab).toBe('cancelled');
    c.press('jobs', 'right');
    expect(c.state().tab).toBe('pending');
  });

  it('PgDn/] and PgUp/[ turn pages of the jobs pane', () => {
    for (const [next, previous] of [['pagedown', 'pageup'], [']', '[']]) {
      const c = consoleOn();
      c.state().setPageSize(2);
      c.press('jobs', next!);
      expect(c.state().offset).toBe(2);
      c.press('jobs', previous!);
      expect(c.state().offset).toBe(0);
    }
  });

  it('/ starts a search from either pane; Enter applies it, Esc drops it', () => {
    const c = consoleOn('queues');
    c.press('queues', '/');
    expect(c.state().input).toEqual({ kind: 'search', text: '' });
    c.state().editInput('  invoice ');
    c.press('input', 'enter');
    expect(c.state()).toMatchObject({ view: 'jobs', input: null, search: { query: 'invoice', results: null } });
    c.press('jobs', '/');
    c.state().editInput('other');
    c.press('input', 'escape');
    expect(c.state()).toMatchObject({ input: null, search: { query: 'invoice' } });
  });

  it('c on a finished job says why it does nothing, and asks nothing', () => {
    const c = consoleOn();
    for (const status of ['failed', 'completed', 'cancelled'] as const) {
      c.state().setPage({ queue: 'b', tab: 'pending', offset: 0, jobs: [{ ...job('j1'), status }] });
      c.press('jobs', 'c');
      expect(c.state().prompt).toBeNull();
      expect(c.state().toasts.at(-1)?.text).toBe(`job j1 is ${status}: only pending, delayed, retrying or processing jobs can be cancelled`);
    }
    expect(c.calls).toEqual([]);
  });

  it('c asks, then cancels; r, +, = and - act on the selected job at once, in the jobs pane and the detail', () => {
    const c = consoleOn();
    const pending = (id: string): Job => ({ ...job(id), status: 'pending' });
    c.state().setPage({ queue: 'b', tab: 'pending', offset: 0, jobs: [pending('j1'), pending('j2'), pending('j3')] });
    c.press('jobs', 'down', 'c');
    expect(c.calls).toEqual([]);
    expect(c.state().prompt?.message).toMatch(/^Cancel job j2 \(t, pending\)\? y\/n$/);
    c.press('prompt', 'n');
    expect(c.state().prompt).toBeNull();
    c.press('jobs', 'c');
    c.press('prompt', 'escape');
    c.press('jobs', 'c');
    c.press('prompt', 'y');
    c.press('jobs', '+', '=', '-', 'enter');
    c.state().setDetail({ ...c.state().detail!, job: pending('j2') }); // as the data source loads it
    c.press('detail', '+', '-', 'c');
    c.press('prompt', 'y');
    c.state().setDetail({ ...c.state().detail!, job: { ...job('j2'), status: 'failed' } });
    c.press('detail', 'r');
    expect(c.calls).toEqual([
      'cancel j2', 'priority j2 1', 'priority j2 1', 'priority j2 -1',
      'priority j2 1', 'priority j2 -1', 'cancel j2', 'retry j2',
    ]);
  });

  it('r and d on a job they do not apply to say why, and act on nothing', () => {
    const c = consoleOn();
    c.state().setPage({ queue: 'b', tab: 'pending', offset: 0, jobs: [{ ...job('j1'), status: 'pending' }] });
    c.press('jobs', 'r');
    expect(c.state().toasts.at(-1)?.text).toBe('job j1 is pending: only failed or cancelled jobs can be retried');
    c.press('jobs', 'd');
    expect(c.state().prompt).toBeNull();
    expect(c.state().toasts.at(-1)?.text).toBe('job j1 is pending: only completed, failed or cancelled jobs can be deleted');
    expect(c.calls).toEqual([]);
  });

  it('a job key with no job selected says so and acts on nothing', () => {
    const c = consoleOn();
    c.state().setPage({ queue: 'b', tab: 'pending', offset: 0, jobs: [] });
    c.press('jobs', 'r');
    expect(c.calls).toEqual([]);
    expect(c.state().toasts.map((t) => [t.level, t.text])).toEqual([['error', 'no job selected']]);
  });

  it('p pauses or resumes the selected queue from either pane', () => {
    const c = consoleOn('queues');
    c.press('queues', 'p');
    c.press('queues', 'up');
    c.press('jobs', 'p');
    expect(c.calls).toEqual(['pause b', 'pause a']);
  });

  it('logs: e cycles the level from all to error and back; f types a job id, starting from the current one', () => {
    const c = consoleOn();
    c.press('jobs', 'l');
    const levels: string[] = [];
    for (let i = 0; i < 5; i++) {
      c.press('logs', 'e');
      levels.push(c.state().logFilter.level);
    }
    expect(levels).toEqual(['debug', 'info', 'warn', 'error', 'all']);
    c.press('logs', 'f');
    expect(c.state().input).toEqual({ kind: 'logJob', text: '' });
    c.state().editInput(' j2 ');
    c.press('input', 'enter');
    expect(c.state().logFilter).toEqual({ level: 'all', jobId: 'j2' });
    c.press('logs', 'f');
    expect(c.state().input).toEqual({ kind: 'logJob', text: 'j2' });
    c.press('input', 'escape', 'escape');
    c.press('jobs', '/'); // a search starts empty, whatever the log filter holds
    expect(c.state().input).toEqual({ kind: 'search', text: '' });
  });

  it('? opens the help and closes it again; q quits from every view', () => {
    const c = consoleOn();
    c.press('jobs', '?');
    expect(c.state().view).toBe('help');
    c.press('help', '?');
    expect(c.state().view).toBe('jobs');
    for (const scope of ['queues', 'jobs', 'detail', 'workers', 'logs', 'help'] as const) c.press(scope, 'q');
    expect(c.calls).toEqual(Array(6).fill('quit'));
  });

  it('R and D on a marked tab that is empty say there is nothing to do, and ask nothing', () => {
    const c = consoleOn();
    c.press('jobs', '7', 'A', 'R');
    expect(c.state().marks).toMatchObject({ tab: 'cancelled', all: true });
    expect(c.state().prompt).toBeNull();
    expect(c.state().toasts.at(-1)?.text).toBe('no cancelled jobs to retry in queue b');
    c.press('jobs', 'D');
    expect(c.state().prompt).toBeNull();
    expect(c.state().toasts.at(-1)?.text).toBe('no cancelled jobs to delete in queue b');
    // With jobs in the tab, R asks as before.
    c.state().patchQueue('b', { stats: { ...stats(3), cancelledJobs: 2 } });
    c.press('jobs', 'R');
    expect(c.state().prompt?.message).toBe('Retry every cancelled job (2 now) of queue b? y/n');
    expect(c.calls).toEqual([]);
  });

  it('only c (cancel) and d (delete) ask before they act', () => {
    expect(KEYMAP.filter(asksFirst).map((b) => b.keys)).toEqual([['c'], ['d']]);
  });

  it('p with no queue acts on nothing', () => {
    const calls: string[] = [];
    const store = createConsoleStore();
    const commands = { togglePause: async (queue: string) => void calls.push(queue) } as ConsoleCommands;
    expect(dispatchKey('queues', 'p', { store, commands, quit: () => {}, forceQuit: () => {} })).toBe(true);
    expect(calls).toEqual([]);
  });

  it('keys bound nowhere in a scope are not taken', () => {
    const c = consoleOn();
    for (const [scope, key] of [['prompt', 'c'], ['input', 'q'], ['quitting', 'q'], ['queues', 'left'], ['workers', 'enter']] as const) {
      expect(dispatchKey(scope, key, { store: c.store, commands: {} as ConsoleCommands, quit: () => {}, forceQuit: () => {} }), `${scope}: ${key}`).toBe(false);
    }
  });
});

describe('key names', () => {
  const none: Key = {
    upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
    return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false,
    super: false, hyper: false, capsLock: false, numLock: false,
  };

  it('names each special key as the table spells it', () => {
    const names: [Partial<Key>, string][] = [
      [{ downArrow: true }, 'down'], [{ leftArrow: true }, 'left'], [{ rightArrow: true }, 'right'],
      [{ pageUp: true }, 'pageup'], [{ pageDown: true }, 'pagedown'], [{ home: true }, 'home'], [{ end: true }, 'end'],
      [{ tab: true }, 'tab'], [{ backspace: true }, 'backspace'], [{ delete: true }, 'backspace'], [{ escape: true }, 'escape'],
    ];
    for (const [key, name] of names) expect(keyName('x', { ...none, ...key }), name).toBe(name);
    expect(keyName('x', none)).toBe('x');
  });
});
