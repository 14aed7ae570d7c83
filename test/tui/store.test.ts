import { describe, expect, it } from 'vitest';
import type { Job, QueueStats } from '../../src/index.js';
import { MAX_LOG_LINES, createConsoleStore, listedJobs, targetJob } from '../../src/tui/store.js';

const stats = (pendingJobs: number): QueueStats => ({
  pendingJobs, delayedJobs: 0, processingJobs: 0, retryingJobs: 0, completedJobs: 0, failedJobs: 0, cancelledJobs: 0,
});
const job = (id: string): Job => ({
  id, queue: 'q', type: 't', payload: {}, status: 'pending', attempts: 0, maxAttempts: 3, priority: 0, delay: 0,
  createdAt: new Date(0), enteredAt: new Date(0),
});

describe('console store', () => {
  it('each factory call makes an independent store', () => {
    const a = createConsoleStore({ queues: ['x'] });
    const b = createConsoleStore({ queues: ['y'] });
    a.getState().open('logs');
    expect(b.getState().view).toBe('queues');
    expect(a.getState().queues.map((q) => q.name)).toEqual(['x']);
  });

  it('views: open pushes, back pops; Esc from jobs goes to queues; Tab switches panes', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().nextPane();
    expect(s.getState().view).toBe('jobs');
    s.getState().openDetail('q', 'id1');
    s.getState().open('help');
    s.getState().back();
    expect(s.getState().view).toBe('detail');
    s.getState().back();
    expect(s.getState().view).toBe('jobs');
    s.getState().back();
    expect(s.getState().view).toBe('queues');
  });

  it('moving past the page edge turns the page, within the tab total', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().setPageSize(2);
    s.getState().patchQueue('q', { stats: stats(5) });
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 0, jobs: [job('a'), job('b')] });
    s.getState().moveJob(1);
    expect(s.getState().selectedIndex).toBe(1);
    s.getState().moveJob(1);
    expect(s.getState()).toMatchObject({ offset: 2, selectedIndex: 0 });
    s.getState().turnPage(1);
    expect(s.getState().offset).toBe(4);
    s.getState().turnPage(1);
    expect(s.getState().offset).toBe(4); // the last page
    s.getState().turnPage(-5);
    expect(s.getState().offset).toBe(0);
  });

  it('a refreshed page keeps the same job selected', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 0, jobs: [job('a'), job('b')] });
    s.getState().open('jobs');
    s.getState().moveJob(1);
    s.getState().setPage({ queue: 'q', tab: 'pending', offset: 0, jobs: [job('new'), job('a'), job('b')] });
    expect(targetJob(s.getState())?.id).toBe('b');
  });

  it('changing tab or queue resets the page and the search', () => {
    const s = createConsoleStore({ queues: ['q', 'r'] });
    s.getState().startInput('search');
    s.getState().editInput('foo');
    s.getState().submitInput();
    expect(s.getState().search?.query).toBe('foo');
    expect(listedJobs(s.getState())).toEqual([]);
    s.getState().selectTab('failed');
    expect(s.getState()).toMatchObject({ tab: 'failed', search: null, offset: 0 });
    s.getState().moveQueue(1);
    expect(s.getState().selectedQueue).toBe(1);
    s.getState().moveQueue(5);
    expect(s.getState().selectedQueue).toBe(1);
  });

  it('the prompt runs its action only on yes', () => {
    const s = createConsoleStore();
    let runs = 0;
    s.getState().ask({ message: 'sure?', confirm: () => runs++ });
    s.getState().answer(false);
    expect(runs).toBe(0);
    s.getState().ask({ message: 'sure?', confirm: () => runs++ });
    s.getState().answer(true);
    expect(runs).toBe(1);
    expect(s.getState().prompt).toBeNull();
  });

  it('logs are capped; the log job filter comes from a typed line; toasts expire', () => {
    const s = createConsoleStore();
    s.getState().appendLogs(Array.from({ length: MAX_LOG_LINES + 10 }, (_, i) => ({ time: i, level: 'info', msg: `m${i}`, raw: {} })));
    expect(s.getState().logs).toHaveLength(MAX_LOG_LINES);
    expect(s.getState().logs[0]!.msg).toBe('m10');
    s.getState().startInput('logJob');
    s.getState().editInput('job-1 ');
    s.getState().submitInput();
    expect(s.getState().logFilter.jobId).toBe('job-1');
    s.getState().cycleLogLevel();
    expect(s.getState().logFilter.level).toBe('debug');
    s.getState().toast('info', 'hello');
    s.getState().pruneToasts(60_000);
    expect(s.getState().toasts).toHaveLength(1);
    s.getState().pruneToasts(-1);
    expect(s.getState().toasts).toHaveLength(0);
  });

  it('a smaller page keeps the selected job on screen', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().setPageSize(10);
    s.setState({ view: 'jobs', offset: 10, selectedIndex: 7 }); // job #17
    s.getState().setPageSize(5);
    expect(s.getState()).toMatchObject({ offset: 15, selectedIndex: 2 });
  });

  it('a smaller page while the queues pane has the keys stays on its page (a queue row added, a resize)', () => {
    const s = createConsoleStore({ queues: ['q'] });
    s.getState().setPageSize(11);
    // The selection followed its job down a moving pending list, unasked.
    s.setState({ view: 'queues', offset: 0, selectedIndex: 10 });
    s.getState().setPageSize(10);
    expect(s.getState()).toMatchObject({ offset: 0, selectedIndex: 9 });
  });
});
