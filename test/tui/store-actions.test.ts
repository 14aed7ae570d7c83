/** The console store's actions and selectors, each through the store's public API. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Job, QueueStats } from '../../src/index.js';
import type { LogLine } from '../../src/tui/host-view.js';
import { STATUS_TABS, createConsoleStore, listedJobs, selectedQueueRow, tabTotal, targetJob } from '../../src/tui/store.js';

const job = (id: string): Job => ({
  id, queue: 'q', type: 't', payload: {}, status: 'pending', attempts: 0, maxAttempts: 3, priority: 0, delay: 0,
  createdAt: new Date(0), enteredAt: new Date(0),
});
const line = (msg: string, level = 'info', jobId?: string): LogLine => ({ time: 0, level, msg, raw: {}, ...(jobId ? { jobId } : {}) });

afterEach(() => vi.useRealTimers());

describe('console store actions', () => {
  it('starts on the queues view with one row per queue, nothing selected or open', () => {
    const s = createConsoleStore({ address: 'redis://h:1', queues: ['a', 'b'], readOnly: true });
    expect(s.getState()).toMatchObject({
      readOnly: true, view: 'queues', history: [], selectedQueue: 0, tab: 'pending', offset: 0, pageSize: 10, selectedIndex: 0,
      page: null, search: null, detail: null, prompt: null, input: null, quitting: null, toasts: [], logScroll: 0, helpScroll: 0,
      logFilter: { level: 'all', jobId: '' },
      header: { address: 'redis://h:1', connection: 'connected', busy: 0, concurrency: 0, inRate: 0, outRate: 0, inHistory: [], outHistory: [] },
    });
    expect(s.getState().queues).toEqual([
      { name: 'a', stats: null, paused: false, rate: 0, oldestReadyAt: null, rateLimit: null, rateLimited: false },
      { name: 'b', stats: null, paused: false, rate: 0, oldestReadyAt: null, rateLimit: null, rateLimited: false },
    ]);
    const plain = createConsoleStore();
    expect(plain.getState()).toMatchObject({ readOnly: false, queues: [], header: { address: '' } });
  });

  it('opening the view already shown keeps the way back; opening a main pane forgets it', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().open('workers');
    s.getState().open('workers');
    s.getState().open('logs');
    expect(s.getState().history).toEqual(['queues', 'workers']);
    s.getState().open('jobs');
    expect(s.getState().history).toEqual([]);
    s.getState().back();
    s.getState().back();
    expect(s.getState().view).toBe('queues');
    s.getState().open('help');
    s.getState().open('queues');
    expect(s.getState()).toMatchObject({ view: 'queues', history: [] });
  });

  it('Esc in the jobs pane first drops a search, then leaves the pane; Tab does nothing outside the panes', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().open('jobs');
    s.getState().startInput('search');
    s.getState().editInput('x');
    s.getState().submitInput();
    s.getState().setSearchResults('x', [job('a'), job('b')], 2);
    s.getState().moveJob(1);
    s.getState().back();
    expect(s.getState()).toMatchObject({ view: 'jobs', search: null, selectedIndex: 0 });
    s.getState().back();
    expect(s.getState().view).toBe('queues');
    s.getState().open('workers');
    s.getState().nextPane();
    expect(s.getState().view).toBe('workers');
  });

  it('a search with an unreadable age bound says the form it takes, and searches nothing', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().startInput('search');
    s.getState().editInput('age>abc');
    s.getState().submitInput();
    expect(s.getState().search).toBeNull();
    expect(s.getState().input).toBeNull();
    expect(s.getState().toasts.map((t) => [t.level, t.text])).toEqual([['error', 'age>abc: write age>D or age<D with a duration D such as 90s, 5m, 1h or 2d']]);
    s.getState().startInput('search');
    s.getState().editInput('age>2h smtp');
    s.getState().submitInput();
    expect(s.getState().search?.query).toBe('age>2h smtp');
  });

  it('search results apply only to the search still open, and the selection stays within them', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().patchQueue('q', { stats: { pendingJobs: 30, delayedJobs: 0, processingJobs: 0, retryingJobs: 0, failedJobs: 0, completedJobs: 0, cancelledJobs: 0 } });
    s.getState().setSearchResults('none open', [job('stale')], 1);
    expect(s.getState().search).toBeNull();
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 0, jobs: [job('p1'), job('p2'), job('p3')] });
    s.getState().startInput('search');
    s.getState().editInput('new');
    s.getState().submitInput();
    expect(listedJobs(s.getState())).toEqual([]);
    s.getState().setSearchResults('old', [job('stale')], 1);
    expect(s.getState().search).toEqual({ query: 'new', results: null, scanned: 0 });
    s.getState().setSearchResults('new', [job('a'), job('b')], 40);
    expect(s.getState().search).toEqual({ query: 'new', results: [job('a'), job('b')], scanned: 40 });
    expect(listedJobs(s.getState()).map((j) => j.id)).toEqual(['a', 'b']);
    s.getState().moveJob(1);
    s.getState().moveJob(1);
    s.getState().turnPage(1);
    expect(s.getState()).toMatchObject({ selectedIndex: 1, offset: 0 });
    expect(targetJob(s.getState())?.id).toBe('b');
    s.getState().clearSearch();
    expect(s.getState()).toMatchObject({ search: null, selectedIndex: 0 });
  });

  it('an empty search line clears the search; the same tab chosen again drops a search too', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().open('jobs');
    s.getState().startInput('search');
    s.getState().editInput('x');
    s.getState().submitInput();
    s.getState().startInput('search');
    s.getState().editInput('   ');
    s.getState().submitInput();
    expect(s.getState()).toMatchObject({ search: null, input: null });
    s.getState().startInput('search');
    s.getState().editInput('y');
    s.getState().submitInput();
    s.getState().selectTab('pending');
    expect(s.getState().search).toBeNull();
    s.getState().editInput('no input open');
    expect(s.getState().input).toBeNull();
  });

  it('the action target is the open detail\'s job, the selected row in the jobs pane, and nothing elsewhere', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 0, jobs: [job('a')] });
    expect(targetJob(s.getState())).toBeNull();
    s.getState().open('jobs');
    expect(targetJob(s.getState())?.id).toBe('a');
    s.getState().openDetail('q', 'd');
    expect(targetJob(s.getState())).toBeNull();
    s.getState().setDetail({ queue: 'q', id: 'd', job: job('d'), missing: false, scroll: 0 });
    expect(targetJob(s.getState())?.id).toBe('d');
    s.getState().open('logs');
    expect(targetJob(s.getState())).toBeNull();
    expect(selectedQueueRow(s.getState())?.name).toBe('q');
    expect(selectedQueueRow(createConsoleStore().getState())).toBeNull();
  });

  it('each tab counts from its own figure of the queue stats', () => {
    const stats: QueueStats = { pendingJobs: 1, delayedJobs: 2, processingJobs: 3, retryingJobs: 4, failedJobs: 5, completedJobs: 6, cancelledJobs: 7 };
    expect(STATUS_TABS.map((tab) => tabTotal(stats, tab))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(tabTotal(null, 'failed')).toBe(0);
  });

  it('a page refreshed elsewhere (another tab or offset) keeps the row number, within the new page', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 0, jobs: [job('a'), job('b'), job('c')] });
    s.getState().moveJob(2);
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 10, jobs: [job('x'), job('c'), job('y')] });
    expect(s.getState().selectedIndex).toBe(2);
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 10, jobs: [job('z')] });
    expect(s.getState().selectedIndex).toBe(0);
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 10, jobs: [] });
    expect(s.getState().selectedIndex).toBe(0);
    // The same page refreshed with the selected job now first: it stays selected.
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 10, jobs: [job('x'), job('c')] });
    s.getState().moveJob(1);
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 10, jobs: [job('c'), job('x')] });
    expect(s.getState().selectedIndex).toBe(0);
  });

  it('Esc on the queues pane and keys with nothing to act on change nothing', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().open('jobs');
    s.getState().back();
    s.getState().back();
    expect(s.getState()).toMatchObject({ view: 'queues', history: [] });
    s.getState().startInput('search');
    s.getState().editInput('x');
    s.getState().submitInput();
    s.getState().nextPane();
    s.getState().back();
    expect(s.getState()).toMatchObject({ view: 'queues', search: { query: 'x' } });
    s.getState().submitInput();
    s.getState().scrollDetail(1);
    s.getState().answer(true);
    expect(s.getState()).toMatchObject({ input: null, detail: null, prompt: null, search: { query: 'x' } });
    const empty = createConsoleStore();
    empty.getState().open('jobs');
    empty.getState().moveJob(1);
    empty.getState().moveQueue(1);
    expect(empty.getState()).toMatchObject({ selectedQueue: 0, selectedIndex: 0, offset: 0 });
  });

  it('the last queue and the last page hold: the selection, page and search stay as they are', () => {
    const s = createConsoleStore({ queues: ['a', 'b'] });
    s.getState().moveQueue(1);
    s.getState().setPageSize(2);
    s.getState().patchQueue('b', { stats: { pendingJobs: 4, delayedJobs: 0, processingJobs: 0, retryingJobs: 0, failedJobs: 0, completedJobs: 0, cancelledJobs: 0 } });
    s.getState().turnPage(1);
    const page = { queue: 'b', tab: 'pending' as const, offset: 2, jobs: [job('c'), job('d')] };
    s.getState().setPage(page);
    s.getState().moveJob(1);
    s.getState().moveJob(1); // past the last job: no page after it
    s.getState().turnPage(1);
    s.getState().moveQueue(1);
    expect(s.getState()).toMatchObject({ selectedQueue: 1, offset: 2, selectedIndex: 1, page });
  });

  it('moving up past the first row turns back a page and selects its last row', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().setPageSize(2);
    s.getState().patchQueue('q', { stats: { pendingJobs: 5, delayedJobs: 0, processingJobs: 0, retryingJobs: 0, failedJobs: 0, completedJobs: 0, cancelledJobs: 0 } });
    s.getState().turnPage(2);
    s.getState().selectTab('pending'); // the tab shown already: the page stays
    expect(s.getState().offset).toBe(4);
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 4, jobs: [job('e')] });
    s.getState().moveJob(-1);
    expect(s.getState()).toMatchObject({ offset: 2, selectedIndex: 1 });
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 2, jobs: [job('c'), job('d')] });
    s.getState().moveJob(-1);
    s.getState().moveJob(-1);
    expect(s.getState()).toMatchObject({ offset: 0, selectedIndex: 1 });
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 0, jobs: [job('a'), job('b')] });
    s.getState().moveJob(-1);
    s.getState().moveJob(-1);
    expect(s.getState()).toMatchObject({ offset: 0, selectedIndex: 0 });
    s.getState().setPageSize(0.5);
    expect(s.getState().pageSize).toBe(1);
  });

  it('the log view scrolls within the lines its filter shows', () => {
    const s = createConsoleStore();
    s.getState().setLogRows(2);
    s.getState().appendLogs([line('a', 'debug'), line('b', 'warn', 'j1'), line('c', 'info', 'j1'), line('d', 'error', 'j1'), line('e', 'info')]);
    s.getState().scrollLogs(-10);
    expect(s.getState().logScroll).toBe(3); // 5 lines, 2 shown
    s.getState().startInput('logJob');
    s.getState().editInput('j1');
    s.getState().submitInput();
    expect(s.getState().logScroll).toBe(0);
    s.getState().scrollLogs(-10);
    expect(s.getState().logScroll).toBe(1); // 3 lines of j1
    s.getState().cycleLogLevel(); // debug
    s.getState().cycleLogLevel(); // info
    expect(s.getState().logScroll).toBe(0);
    s.getState().cycleLogLevel(); // warn: b and d
    s.getState().scrollLogs(-10);
    expect(s.getState().logScroll).toBe(0);
    s.getState().setLogRows(0);
    expect(s.getState().logRows).toBe(1);
  });

  it('new log lines move a scrolled-up window by the lines it lets through, and leave a following one at the tail', () => {
    const s = createConsoleStore();
    s.getState().setLogRows(2);
    s.getState().appendLogs([line('a'), line('b'), line('c'), line('d')]);
    s.getState().appendLogs([]);
    s.getState().appendLogs([line('e')]);
    expect(s.getState().logScroll).toBe(0);
    s.getState().scrollLogs(-1);
    s.getState().startInput('logJob');
    s.getState().editInput('j9');
    s.getState().submitInput();
    s.getState().scrollLogs(-1); // nothing of j9 yet: stays at the tail
    s.getState().startInput('logJob');
    s.getState().editInput('');
    s.getState().submitInput();
    s.getState().scrollLogs(-2);
    s.getState().cycleLogLevel(); // debug
    s.getState().cycleLogLevel(); // info
    s.getState().cycleLogLevel(); // warn
    s.getState().appendLogs([line('f')]); // the tail again after the level change
    s.getState().cycleLogLevel(); // error
    s.getState().cycleLogLevel(); // all
    s.getState().scrollLogs(-2);
    s.getState().appendLogs([line('g', 'info'), line('h', 'debug', 'j9')]);
    expect(s.getState().logScroll).toBe(4);
    s.getState().cycleLogLevel(); // debug
    s.getState().cycleLogLevel(); // info
    s.getState().scrollLogs(-1);
    s.getState().appendLogs([line('i', 'debug')]); // not shown at info: the window stays
    expect(s.getState().logScroll).toBe(1);
    expect(s.getState().logs.map((l) => l.msg)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
  });

  it('keeps the last three toasts, and prunes only those older than asked', () => {
    vi.useFakeTimers({ now: 10_000 });
    const s = createConsoleStore();
    for (const text of ['1', '2', '3', '4']) s.getState().toast('info', text);
    expect(s.getState().toasts.map((t) => t.text)).toEqual(['2', '3', '4']);
    const ids = s.getState().toasts.map((t) => t.id);
    expect(new Set(ids).size).toBe(3);
    vi.setSystemTime(11_000);
    s.getState().toast('error', '5');
    vi.setSystemTime(12_000);
    s.getState().toast('info', '6');
    const before = s.getState().toasts;
    s.getState().pruneToasts(5_000);
    expect(s.getState().toasts).toBe(before);
    s.getState().pruneToasts(1_000); // drops the one at 10 s, keeps the one exactly 1 s old
    expect(s.getState().toasts.map((t) => [t.level, t.text, t.at])).toEqual([['error', '5', 11_000], ['info', '6', 12_000]]);
    s.getState().pruneToasts(999);
    expect(s.getState().toasts.map((t) => t.text)).toEqual(['6']);
  });

  it('moving to another view (open, back, Tab) clears the messages; staying on it keeps them', () => {
    const s = createConsoleStore({ queues: ['a'] });
    const said = () => s.getState().toasts.map((t) => t.text);
    s.getState().toast('error', 'refused');
    s.getState().open('queues'); // already there
    expect(said()).toEqual(['refused']);
    s.getState().nextPane();
    expect(said()).toEqual([]);
    s.getState().toast('error', 'refused');
    s.getState().open('help');
    expect(said()).toEqual([]);
    s.getState().toast('error', 'refused');
    s.getState().back();
    expect(s.getState().view).toBe('jobs');
    expect(said()).toEqual([]);
    s.getState().toast('error', 'refused');
    s.getState().back();
    expect(s.getState().view).toBe('queues');
    expect(said()).toEqual([]);
  });

  it('queue rows, the header, workers and the quitting state are replaced or merged as given', () => {
    const s = createConsoleStore({ queues: ['a', 'b'] });
    s.getState().patchQueue('b', { paused: true, rate: 2 });
    expect(s.getState().queues.map((q) => [q.name, q.paused, q.rate])).toEqual([['a', false, 0], ['b', true, 2]]);
    s.getState().setQueues([{ name: 'c', stats: null, paused: false, rate: 0, oldestReadyAt: 5, rateLimit: null, rateLimited: false }]);
    expect(s.getState().queues.map((q) => q.name)).toEqual(['c']);
    s.getState().setHeader({ busy: 2, concurrency: 4 });
    s.getState().setHeader({ connection: 'reconnecting' });
    expect(s.getState().header).toMatchObject({ busy: 2, concurrency: 4, connection: 'reconnecting' });
    s.getState().setQuitting(3);
    expect(s.getState().quitting).toEqual({ inFlight: 3 });
    s.getState().scrollHelp(-4);
    expect(s.getState().helpScroll).toBe(0);
  });
});
