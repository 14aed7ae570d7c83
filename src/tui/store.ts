/**
 * The console's state: a zustand vanilla store made by `createConsoleStore()` and handed down through
 * React context (there is no module-level store). Components select narrow slices; the data source
 * fills it from the engine and reacts to what the user asks for (queue, tab, page, detail, search).
 */
import { createStore } from 'zustand/vanilla';
import type { Job, QueueStats } from '../engine/types.js';
import { logLineShown, type LogLevelFilter } from './log-lines.js';
import { allMarks, toggledMarks } from './marks.js';
import { parseSearch, SearchQueryError } from './search-query.js';
import {
  STATUS_TABS, type ConsoleState, type ConsoleStore, type ConsoleStoreState, type JobPage, type QueueRow, type ScheduleRow, type StatusTab, type Toast,
} from './console-state.js';

export * from './console-state.js';
export { LOG_LEVELS, type LogLevelFilter } from './log-lines.js';

/** Log lines kept in the console (the host keeps its own buffer). */
export const MAX_LOG_LINES = 2_000;
const MAX_TOASTS = 3;
/** How long a message (a command's outcome, a refusal) stays on the status line. */
export const TOAST_MS = 5_000;
let toastIds = 0;

/** The row of a queue not read yet. */
const unreadRow = (name: string): QueueRow => ({ name, stats: null, paused: false, rate: 0, oldestReadyAt: null, rateLimit: null, rateLimited: false });

/** The `knownPages` key of a queue's tab. */
const knownPageKey = (queue: string, tab: StatusTab) => `${queue}\n${tab}`;

/** The jobs listed in the jobs pane: the search results when a search is on, else the page. */
export function listedJobs(state: ConsoleState): Job[] {
  if (state.search) return state.search.results ?? NO_JOBS;
  return state.page?.jobs ?? NO_JOBS;
}

/** What is wrong with a search query, or undefined when it reads. */
function searchQueryError(query: string): string | undefined {
  try {
    parseSearch(query);
    return undefined;
  } catch (err) {
    if (err instanceof SearchQueryError) return err.message;
    throw err;
  }
}

// One empty list, so selectors that return "no jobs" return the same value each time.
const NO_JOBS: Job[] = [];

/** The job an action applies to: the open detail's, or the selected row's. */
export function targetJob(state: ConsoleState): Job | null {
  if (state.view === 'detail') return state.detail?.job ?? null;
  if (state.view === 'jobs') return listedJobs(state)[state.selectedIndex] ?? null;
  return null;
}

/** The schedule the schedule keys act on. */
export function selectedScheduleRow(state: ConsoleState): ScheduleRow | null {
  return state.schedules?.[state.selectedSchedule] ?? null;
}

/** The selected queue's row. */
export function selectedQueueRow(state: ConsoleState): QueueRow | null {
  return state.queues[state.selectedQueue] ?? null;
}

/** How many jobs a tab holds: the same stats the queue row shows, so the two always agree. */
export function tabTotal(stats: QueueStats | null, tab: StatusTab): number {
  if (!stats) return 0;
  switch (tab) {
    case 'pending': return stats.pendingJobs;
    case 'delayed': return stats.delayedJobs;
    case 'processing': return stats.processingJobs;
    case 'retrying': return stats.retryingJobs;
    case 'failed': return stats.failedJobs;
    case 'completed': return stats.completedJobs;
    case 'cancelled': return stats.cancelledJobs;
  }
}

const clamp = (value: number, low: number, high: number) => Math.max(low, Math.min(high, value));

/**
 * How many places the selected tab pages over: what the last page read said (pending pages also
 * count the places cancelled jobs left until workers pass them), else the queue's stats.
 */
function pagedTotal(state: ConsoleState): number {
  const row = selectedQueueRow(state);
  const { page } = state;
  if (page && page.total !== undefined && page.queue === row?.name && page.tab === state.tab) return page.total;
  return tabTotal(row?.stats ?? null, state.tab);
}

/** Pages of the selected tab (at least one). */
export function pageCount(state: ConsoleState): number {
  return Math.max(1, Math.ceil(pagedTotal(state) / state.pageSize));
}

/** A fresh console store. */
export function createConsoleStore(init: { address?: string; queues?: readonly string[]; readOnly?: boolean } = {}): ConsoleStore {
  return createStore<ConsoleStoreState>()((set, get) => {
    /** Moves to another queue/tab/page: the selection and search start over. */
    const reposition = (patch: Partial<ConsoleState>) => set({ selectedIndex: 0, search: null, ...patch });
    /**
     * The page a queue's tab starts with: none until it is read, but while Redis is away (nothing can
     * be read) the last one known, which the banner says is the last known state.
     */
    const startPage = (queue: number, tab: StatusTab): JobPage | null => {
      const { queues, header, knownPages } = get();
      const name = queues[queue]?.name;
      return header.connection === 'connected' || name === undefined ? null : knownPages[knownPageKey(name, tab)] ?? null;
    };
    const jobsTotal = () => pagedTotal(get());
    /** Shows another view: messages about the one left behind go with it. */
    const show = (patch: Partial<ConsoleState> & { view: ConsoleState['view'] }) => set({ toasts: [], ...patch });
    return {
      readOnly: init.readOnly ?? false,
      view: 'queues',
      history: [],
      queues: (init.queues ?? []).map(unreadRow),
      selectedQueue: 0,
      tab: 'pending',
      offset: 0,
      pageSize: 10,
      selectedIndex: 0,
      page: null,
      knownPages: {},
      search: null,
      detail: null,
      workers: [],
      schedules: null,
      selectedSchedule: 0,
      logs: [],
      logFilter: { level: 'all', jobId: '' },
      logScroll: 0,
      logRows: 10,
      header: {
        address: init.address ?? '', connection: 'connected', busy: 0, concurrency: 0,
        inRate: 0, outRate: 0, inHistory: [], outHistory: [], alerts: [],
      },
      prompt: null,
      input: null,
      toasts: [],
      quitting: null,
      helpScroll: 0,
      marks: null,
      bulk: null,
      queueCharts: null,

      open: (view) => {
        const { view: current, history } = get();
        if (view === current) return;
        const main = view === 'queues' || view === 'jobs';
        show({ view, history: main ? [] : [...history, current] });
      },
      back: () => {
        const { view, history, search } = get();
        if (history.length > 0) {
          show({ view: history[history.length - 1]!, history: history.slice(0, -1) });
        } else if (view === 'jobs' && search) {
          set({ search: null, selectedIndex: 0 });
        } else if (view !== 'queues') {
          show({ view: view === 'jobs' ? 'queues' : 'jobs', history: [] });
        }
      },
      nextPane: () => {
        const { view } = get();
        if (view === 'queues') show({ view: 'jobs' });
        else if (view === 'jobs') show({ view: 'queues' });
      },
      moveQueue: (delta) => {
        const { queues, selectedQueue } = get();
        const next = clamp(selectedQueue + delta, 0, Math.max(0, queues.length - 1));
        if (next !== selectedQueue) reposition({ selectedQueue: next, offset: 0, page: startPage(next, get().tab) });
      },
      selectTab: (tab) => {
        if (tab !== get().tab || get().search) reposition({ tab, offset: 0, page: startPage(get().selectedQueue, tab) });
      },
      cycleTab: (delta) => {
        const index = STATUS_TABS.indexOf(get().tab);
        get().selectTab(STATUS_TABS[(index + delta + STATUS_TABS.length) % STATUS_TABS.length]!);
      },
      moveJob: (delta) => {
        const state = get();
        const listed = listedJobs(state).length;
        const next = state.selectedIndex + delta;
        if (next >= 0 && next < listed) return set({ selectedIndex: next });
        if (state.search) return;
        // Past the edge of the page: turn it when there is more.
        if (next >= listed && state.offset + state.pageSize < jobsTotal()) {
          set({ offset: state.offset + state.pageSize, selectedIndex: 0 });
        } else if (next < 0 && state.offset > 0) {
          set({ offset: Math.max(0, state.offset - state.pageSize), selectedIndex: state.pageSize - 1 });
        }
      },
      turnPage: (delta) => {
        const state = get();
        if (state.search) return;
        const last = (pageCount(state) - 1) * state.pageSize;
        const offset = clamp(state.offset + delta * state.pageSize, 0, last);
        if (offset !== state.offset) set({ offset, selectedIndex: 0 });
      },
      goToPage: (page) => {
        const state = get();
        if (state.search) return;
        const pages = pageCount(state);
        const offset = (page === 'last' ? pages - 1 : clamp(Math.floor(page) - 1, 0, pages - 1)) * state.pageSize;
        if (offset !== state.offset) set({ offset, selectedIndex: 0 });
      },
      setPageSize: (size) => {
        const pageSize = Math.max(1, Math.floor(size));
        const state = get();
        if (pageSize === state.pageSize) return;
        // Keep the selected job on screen: start the page where it falls. While the queues pane has
        // the keys, the job selection only follows the list as it moves: keep the page's start.
        if (state.view === 'queues') {
          const offset = Math.floor(state.offset / pageSize) * pageSize;
          return set({ pageSize, offset, selectedIndex: Math.min(state.selectedIndex, pageSize - 1) });
        }
        const absolute = state.offset + state.selectedIndex;
        const offset = Math.floor(absolute / pageSize) * pageSize;
        set({ pageSize, offset, selectedIndex: absolute - offset });
      },
      openDetail: (queue, id) => {
        set({ detail: { queue, id, job: null, missing: false, scroll: 0 } });
        get().open('detail');
      },
      scrollDetail: (delta) => {
        const { detail } = get();
        if (detail) set({ detail: { ...detail, scroll: Math.max(0, detail.scroll + delta) } });
      },
      startInput: (kind) => set({ input: { kind, text: kind === 'logJob' ? get().logFilter.jobId : '' } }),
      editInput: (text) => {
        const { input } = get();
        if (input) set({ input: { ...input, text } });
      },
      cancelInput: () => set({ input: null }),
      submitInput: () => {
        const { input, logFilter } = get();
        if (!input) return;
        const text = input.text.trim();
        if (input.kind === 'logJob') return set({ input: null, logFilter: { ...logFilter, jobId: text }, logScroll: 0 });
        set({ input: null });
        if (input.kind === 'page') {
          const page = Number(text);
          if (!/^\d+$/.test(text) || page < 1) return get().toast('error', `page must be a whole number from 1 to ${pageCount(get())}`);
          return get().goToPage(page);
        }
        if (text === '') return get().clearSearch();
        const invalid = searchQueryError(text);
        if (invalid) return get().toast('error', invalid);
        set({ search: { query: text, results: null, scanned: 0 }, selectedIndex: 0, view: get().view === 'queues' ? 'jobs' : get().view });
      },
      clearSearch: () => set({ search: null, selectedIndex: 0 }),
      cycleLogLevel: () => {
        const { logFilter } = get();
        const order: LogLevelFilter[] = ['all', 'debug', 'info', 'warn', 'error'];
        const level = order[(order.indexOf(logFilter.level) + 1) % order.length]!;
        set({ logFilter: { ...logFilter, level }, logScroll: 0 });
      },
      scrollLogs: (delta, unit = 'line') => {
        if (delta === 'tail') return set({ logScroll: 0 });
        const { logs, logFilter, logScroll, logRows } = get();
        const top = Math.max(0, logs.filter((line) => logLineShown(line, logFilter)).length - logRows);
        // Scrolling up moves away from the tail: a positive scroll.
        set({ logScroll: clamp(logScroll - delta * (unit === 'page' ? Math.max(1, logRows - 1) : 1), 0, top) });
      },
      setLogRows: (rows) => set({ logRows: Math.max(1, rows) }),
      ask: (prompt) => set({ prompt }),
      answer: (yes) => {
        const { prompt } = get();
        set({ prompt: null });
        if (yes) prompt?.confirm();
      },
      toast: (level, text) => {
        const toast: Toast = { id: ++toastIds, level, text, at: Date.now() };
        set({ toasts: [...get().toasts, toast].slice(-MAX_TOASTS) });
      },
      pruneToasts: (olderThanMs) => {
        const { toasts } = get();
        const cutoff = Date.now() - olderThanMs;
        if (toasts.some((t) => t.at < cutoff)) set({ toasts: toasts.filter((t) => t.at >= cutoff) });
      },
      setQueues: (queues) => set({ queues }),
      addQueues: (names) => set({ queues: [...get().queues, ...names.map(unreadRow)] }),
      patchQueue: (name, patch) => set({ queues: get().queues.map((q) => (q.name === name ? { ...q, ...patch } : q)) }),
      setPage: (page) => {
        const state = get();
        // Keep the same job selected when the page is refreshed under it.
        const selectedId = state.page?.jobs[state.selectedIndex]?.id;
        const same = state.page && state.page.queue === page.queue && state.page.tab === page.tab && state.page.offset === page.offset;
        const kept = same && selectedId ? page.jobs.findIndex((j) => j.id === selectedId) : -1;
        const selectedIndex = kept >= 0 ? kept : clamp(state.selectedIndex, 0, Math.max(0, page.jobs.length - 1));
        const knownPages = page.offset === 0 ? { ...state.knownPages, [knownPageKey(page.queue, page.tab)]: page } : state.knownPages;
        set({ page, selectedIndex, knownPages });
      },
      setSearchResults: (query, results, scanned) => {
        const { search } = get();
        if (search?.query === query) set({ search: { query, results, scanned } });
      },
      setDetail: (detail) => set({ detail }),
      setWorkers: (workers) => set({ workers }),
      setSchedules: (schedules) => {
        // Keep the same schedule selected when the list is refreshed under it.
        const { schedules: before, selectedSchedule } = get();
        const selected = before?.[selectedSchedule];
        const kept = selected ? schedules.findIndex((row) => row.queue === selected.queue && row.name === selected.name) : -1;
        set({ schedules, selectedSchedule: kept >= 0 ? kept : clamp(selectedSchedule, 0, Math.max(0, schedules.length - 1)) });
      },
      moveSchedule: (delta) => {
        const { schedules, selectedSchedule } = get();
        set({ selectedSchedule: clamp(selectedSchedule + delta, 0, Math.max(0, (schedules?.length ?? 0) - 1)) });
      },
      appendLogs: (lines) => {
        if (lines.length === 0) return;
        const { logs: kept, logScroll, logFilter } = get();
        const logs = [...kept, ...lines];
        // A window scrolled up stays on its lines: it moves up by the new lines it lets through.
        const added = logScroll === 0 ? 0 : lines.filter((line) => logLineShown(line, logFilter)).length;
        set({ logs: logs.length > MAX_LOG_LINES ? logs.slice(-MAX_LOG_LINES) : logs, logScroll: logScroll + added });
      },
      setHeader: (patch) => set({ header: { ...get().header, ...patch } }),
      setQuitting: (inFlight) => set({ quitting: { inFlight } }),
      scrollHelp: (delta) => set({ helpScroll: Math.max(0, get().helpScroll + delta) }),
      toggleMark: () => {
        const state = get();
        const job = targetJob(state);
        const queue = selectedQueueRow(state)?.name;
        if (job && queue) set({ marks: toggledMarks(state.marks, queue, state.tab, job) });
      },
      markAll: () => {
        const state = get();
        const queue = selectedQueueRow(state)?.name;
        if (queue) set({ marks: allMarks(state.marks, queue, state.tab, state.search ? state.search.results ?? [] : null) });
      },
      clearMarks: () => set({ marks: null }),
      setBulk: (bulk) => set({ bulk }),
      setQueueCharts: (queueCharts) => set({ queueCharts }),
    };
  });
}
