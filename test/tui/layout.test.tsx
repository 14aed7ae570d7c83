import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/index.js';
import { ConsoleProvider, type ConsoleContextValue } from '../../src/tui/context.js';
import { jobRowsFor } from '../../src/tui/components/App.js';
import { footerHints } from '../../src/tui/components/Footer.js';
import { JobsTable } from '../../src/tui/components/JobsTable.js';
import { QueuesTable } from '../../src/tui/components/QueuesTable.js';
import { columnWidths } from '../../src/tui/components/table.js';
import { createConsoleStore, type ConsoleStore } from '../../src/tui/store.js';

function contextFor(store: ConsoleStore): ConsoleContextValue {
  const commands = {
    cancel: async () => {}, retry: async () => {}, changePriority: async () => {}, togglePause: async () => {}, remove: async () => {}, bulk: async () => {},
    toggleSchedulePause: async () => {}, triggerSchedule: async () => {},
  };
  return { store, redact: [], noColor: true, keys: { store, commands, quit: () => {}, forceQuit: () => {} } };
}

const failedJob = (id: string, error: string): Job => ({
  id, queue: 'default', type: 'resize-images', payload: {}, status: 'failed', attempts: 3, maxAttempts: 3, priority: 0, delay: 0,
  createdAt: new Date(), enteredAt: new Date(), error,
});

describe('layout', () => {
  it('caps flex columns and gives what they leave to the uncapped ones', () => {
    const widths = columnWidths([
      { title: 'ID', width: 16 }, { title: 'TYPE', width: 'flex', min: 6, max: 24 }, { title: 'ERROR', width: 'flex', min: 6 },
    ], 200);
    expect(widths).toEqual([16, 24, 200 - 16 - 24 - 2]);
    // Narrow: an even share below the cap, as before.
    expect(columnWidths([{ title: 'A', width: 'flex', max: 24 }, { title: 'B', width: 'flex' }], 41)).toEqual([20, 20]);
  });

  it('at 200 columns QUEUE and TYPE stay narrow and the error column gets the room', () => {
    const store = createConsoleStore({ queues: ['default'] });
    const error = `upstream refused the upload: ${'x'.repeat(150)}`;
    store.getState().selectTab('failed');
    store.getState().setPage({ queue: 'default', tab: 'failed', offset: 0, jobs: [failedJob('a'.repeat(16), error)] });
    const { lastFrame, unmount } = render(
      <ConsoleProvider value={contextFor(store)}>
        <QueuesTable columns={200} />
        <JobsTable columns={200} rows={5} />
      </ConsoleProvider>,
    );
    const lines = (lastFrame() ?? '').split('\n');
    unmount();
    const queuesHeader = lines.find((l) => l.startsWith('QUEUE'))!;
    expect(queuesHeader.indexOf('STATE')).toBeLessThanOrEqual(33);
    const jobsHeader = lines.find((l) => l.startsWith('ID'))!;
    expect(jobsHeader.indexOf('PRIO')).toBeLessThanOrEqual(16 + 1 + 24 + 1 + 5);
    const row = lines.find((l) => l.startsWith('a'.repeat(16)))!;
    expect(row).toContain('x'.repeat(100));
  });

  it('the delayed tab\'s RUN AT shows due times in full, up to days away', () => {
    const store = createConsoleStore({ queues: ['default'] });
    const now = Date.now();
    const inMs = ['in 57m05s', 'in 23h59m', 'in 6d23h', 'in 364d23h'];
    const after = [57 * 60 + 5, 23 * 3600 + 59 * 60, 6 * 86_400 + 23 * 3600, 364 * 86_400 + 23 * 3600].map((s) => s * 1000 + 400);
    const jobs = after.map((ms, i): Job => ({ ...failedJob(`job${i}`.padEnd(16, 'x'), ''), status: 'pending', runAt: new Date(now + ms) }));
    store.getState().selectTab('delayed');
    store.getState().setPage({ queue: 'default', tab: 'delayed', offset: 0, jobs });
    for (const columns of [160, 60]) {
      const { lastFrame, unmount } = render(<ConsoleProvider value={contextFor(store)}><JobsTable columns={columns} rows={5} /></ConsoleProvider>);
      const lines = (lastFrame() ?? '').split('\n');
      unmount();
      expect(lines.find((l) => l.startsWith('ID'))).toMatch(/ RUN AT /);
      inMs.forEach((text, i) => expect(lines.find((l) => l.startsWith(`job${i}`)), `${columns}: ${text}`).toContain(` ${text}`));
    }
  });

  it('on a narrow screen the queues table drops its least needed columns before it cuts queue names', () => {
    const draw = (names: string[], columns: number) => {
      const store = createConsoleStore({ queues: names });
      const { lastFrame, unmount } = render(<ConsoleProvider value={contextFor(store)}><QueuesTable columns={columns} /></ConsoleProvider>);
      const lines = (lastFrame() ?? '').split('\n');
      unmount();
      return lines;
    };
    const wide = draw(['default'], 100);
    expect(wide[0]!.split(/\s+/)).toEqual(['QUEUE', 'STATE', 'PEND', 'DELAY', 'PROC', 'RETRY', 'FAIL', 'DONE', 'CANCL', 'RATE', 'OLDEST']);
    for (const [columns, names] of [[60, ['default', 'emails-priority']], [40, ['default', 'emails']]] as const) {
      const lines = draw([...names], columns);
      for (const name of names) expect(lines.find((l) => l.startsWith(`${name} `)), `${name} at ${columns}`).toMatch(/ running /);
      expect(lines[0]).toMatch(/^QUEUE +STATE +PEND +PROC +FAIL/);
      for (const line of lines) expect([...line].length).toBeLessThanOrEqual(columns);
    }
  });

  it('a sharded queue is one row, and the selected one shows its shards on a line below', () => {
    const store = createConsoleStore({ queues: ['emails', 'plain'] });
    const stats = { pendingJobs: 7, delayedJobs: 0, processingJobs: 2, retryingJobs: 0, completedJobs: 40, failedJobs: 0, cancelledJobs: 0 };
    const shards = [0, 1, 2].map((shard) => ({ shard, node: `10.0.0.${shard}:6379`, stats, paused: false }));
    store.getState().setQueues([
      { name: 'emails', stats, paused: false, rate: 0, oldestReadyAt: null, rateLimit: null, rateLimited: false, shards },
      { name: 'plain', stats, paused: false, rate: 0, oldestReadyAt: null, rateLimit: null, rateLimited: false },
    ]);
    const { lastFrame, unmount } = render(<ConsoleProvider value={contextFor(store)}><QueuesTable columns={200} /></ConsoleProvider>);
    const lines = (lastFrame() ?? '').split('\n');
    unmount();
    expect(lines.filter((l) => l.startsWith('emails'))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith('emails'))).toMatch(/^emails ×3 /);
    expect(lines.at(-1)).toBe('shards  #0 10.0.0.0:6379 pend 7 proc 2 done 40  │  #1 10.0.0.1:6379 pend 7 proc 2 done 40  │  #2 10.0.0.2:6379 pend 7 proc 2 done 40');
    // The rows it takes come off the jobs pane, so the screen still fits.
    expect(jobRowsFor(24, 2, false, true)).toBe(jobRowsFor(24, 2, false) - 1);
  });

  it('at 80 columns the jobs pane footer shows its action keys first', () => {
    const state = createConsoleStore({ queues: ['q'] }).getState();
    const pending = { id: 'j1', queue: 'q', type: 't', payload: {}, status: 'pending', attempts: 0, maxAttempts: 3, priority: 0, delay: 0, createdAt: new Date(0), enteredAt: new Date(0) } as const;
    const jobs = footerHints('jobs', state, 80, pending);
    expect(jobs.length).toBeLessThanOrEqual(80);
    expect(jobs).toMatch(/^c cancel {2}\+ prio± {2}p pause/);
    expect(footerHints('detail', state, 80, { ...pending, status: 'failed' })).toMatch(/^r retry/);
    expect(footerHints('queues', state, 80, null)).toMatch(/^p pause/);
  });
});
