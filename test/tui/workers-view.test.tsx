import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { ConsoleProvider, type ConsoleContextValue } from '../../src/tui/context.js';
import { WorkersView, fetchedAgo } from '../../src/tui/components/WorkersView.js';
import { createConsoleStore } from '../../src/tui/store.js';
import type { WorkerInfo } from '../../src/index.js';

const worker = (id: string, lastFetchAt: Date): WorkerInfo => ({
  id, host: 'box', pid: 42, queue: 'default', concurrency: 2, busy: 0, types: ['demo'],
  startedAt: new Date(Date.now() - 60_000), lastFetchAt, lastSeenAt: new Date(), healthy: true,
});

describe('workers view', () => {
  it('FETCHED says never for a worker that has not fetched (lastFetchAt at epoch 0)', () => {
    const now = Date.now();
    expect(fetchedAgo(new Date(0), now)).toBe('never');
    expect(fetchedAgo(new Date(now - 5_000), now)).toBe('5s');

    const store = createConsoleStore({ queues: ['default'] });
    store.getState().setWorkers([worker('idle', new Date(0)), worker('busy', new Date(now - 3_000))]);
    store.getState().open('workers');
    const value: ConsoleContextValue = {
      store, redact: [], noColor: true,
      keys: {
        store, quit: () => {}, forceQuit: () => {},
        commands: {
          cancel: async () => {}, retry: async () => {}, changePriority: async () => {}, togglePause: async () => {}, remove: async () => {}, bulk: async () => {},
          toggleSchedulePause: async () => {}, triggerSchedule: async () => {},
        },
      },
    };
    const { lastFrame, unmount } = render(<ConsoleProvider value={value}><WorkersView columns={100} rows={10} /></ConsoleProvider>);
    const rows = (lastFrame() ?? '').split('\n').filter((line) => line.startsWith('box'));
    unmount();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/ never /);
    expect(rows[1]).toMatch(/ 3s /);
    expect(rows.join('\n')).not.toMatch(/\d{4,}d/);
  });
});
