/** The schedules view on a real engine: listed with next and last runs; p pauses and resumes, t runs one now. */
import { afterEach, describe, expect, it } from 'vitest';
import { render } from 'ink-testing-library';
import { JobDetail } from '../../src/tui/components/JobDetail.js';
import { ConsoleProvider, type ConsoleContextValue } from '../../src/tui/context.js';
import { createConsoleStore } from '../../src/tui/store.js';
import type { Job } from '../../src/index.js';
import { waitFor } from '../helpers.js';
import { KEY, openHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('schedules view', () => {
  it('s lists every schedule; p pauses and resumes the selected one; t runs it now', async () => {
    h = await openHarness();
    await h.queue.schedule('hourly', { every: 3_600_000 }, { type: 'report' });
    await h.queue.schedule('nightly', { cron: '0 3 * * *', tz: 'Europe/Berlin' }, { type: 'cleanup' });
    await h.press('s');
    const list = await h.frame((f) => f.includes('hourly') && f.includes('nightly'), 'both schedules');
    expect(list).toMatch(/default\s+hourly\s+every 1h00m\s+report\s+active\s+in (59m|1h)\S*\s+-/);
    expect(list).toMatch(/default\s+nightly\s+0 3 \* \* \* Europe\/Berlin\s+cleanup\s+active\s+in \S+\s+-/);
    expect(list).toMatch(/p pause.*t run now/);

    await h.press('p');
    await waitFor('hourly paused', async () => (await h!.queue.listSchedules())[0]!.paused);
    await h.frame(/hourly\s+every 1h00m\s+report\s+paused/, 'hourly shown paused');
    await h.press('j', 't');
    await waitFor('the run-now job', async () => (await h!.queue.getStats()).pendingJobs === 1);
    const [job] = await h.queue.listJobs('pending');
    expect(job!.type).toBe('cleanup');
    await h.frame(/nightly\s+0 3 \* \* \* Europe\/Berlin\s+cleanup\s+active\s+in \S+\s+\ds ago/, 'nightly with its last run');
    await h.press('k', 'p');
    await waitFor('hourly resumed', async () => !(await h!.queue.listSchedules())[0]!.paused);
    await h.press(KEY.escape);
    await h.frame('QUEUE', 'back to the queues');
  });

  it('read-only shows the schedules but neither pauses nor runs them', async () => {
    h = await openHarness({ readOnly: true });
    await h.queue.schedule('hourly', { every: 3_600_000 }, { type: 'report' });
    await h.press('s');
    const list = await h.frame('hourly', 'the schedule');
    expect(list).not.toMatch(/t run now\s/);
    await h.press('p', 't', '?');
    await h.frame('Keys (read-only', 'help after the ignored keys');
    expect((await h.queue.listSchedules())[0]!.paused).toBe(false);
    expect((await h.queue.getStats()).pendingJobs).toBe(0);
  });
});

describe('a job whose isolated handler is stopped', () => {
  it('the detail says the handler is stopping, then killed, with its attempt', () => {
    const store = createConsoleStore({ queues: ['q'] });
    const value: ConsoleContextValue = {
      store, redact: [], noColor: true,
      keys: { store, commands: {} as ConsoleContextValue['keys']['commands'], quit: () => {}, forceQuit: () => {} },
    };
    const job: Job = {
      id: 'j1', queue: 'q', type: 'stubborn', payload: {}, status: 'cancelled', attempts: 1, maxAttempts: 3, priority: 0, delay: 0,
      createdAt: new Date(), enteredAt: new Date(), handlerStop: { state: 'stopping', attempt: 1 },
    };
    store.getState().openDetail('q', 'j1');
    store.getState().setDetail({ queue: 'q', id: 'j1', job, missing: false, scroll: 0 });
    const { lastFrame, rerender, unmount } = render(<ConsoleProvider value={value}><JobDetail columns={100} rows={30} /></ConsoleProvider>);
    expect(lastFrame()).toMatch(/handler\s+stopping… \(attempt 1\)/);
    store.getState().setDetail({ queue: 'q', id: 'j1', job: { ...job, handlerStop: { state: 'killed', attempt: 1 } }, missing: false, scroll: 0 });
    rerender(<ConsoleProvider value={value}><JobDetail columns={100} rows={30} /></ConsoleProvider>);
    expect(lastFrame()).toMatch(/handler\s+killed \(attempt 1\)/);
    unmount();
  });
});
