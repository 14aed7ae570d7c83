/**
 * The console's state: a zustand vanilla store made by `createConsoleStore()` and handed down through
 * React context (there is no module-level store). Components select narrow slices; the data source
 * fills it from the engine and reacts to what the user asks for (queue, tab, page, detail, search).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { Job, QueueStats, RateLimit, WorkerInfo } from '../engine/types.js';
import type { ScheduleInfo } from '../engine/schedule-spec.js';
import type { ConnectionState, FiringAlertView, LogLine } from './host-view.js';
import { logLineShown, type LogFilter, type LogLevelFilter } from './log-lines.js';
import { allMarks, toggledMarks, type BulkProgress, type Marks } from './marks.js';
import type { QueueCharts } from './history-chart.js';

/** The job tabs of a queue, in key order 1–7. `pending` lists the jobs ready to run, `delayed` those waiting for their time. */
export const STATUS_TABS = ['pending', 'delayed', 'processing', 'retrying', 'failed', 'completed', 'cancelled'] as const;
/** One job tab. */
export type StatusTab = (typeof STATUS_TABS)[number];

/** What fills the screen; `queues` and `jobs` are the two panes of the main screen. */
export type View = 'queues' | 'jobs' | 'detail' | 'workers' | 'logs' | 'help' | 'queue' | 'schedules';

export { LOG_LEVELS, type LogLevelFilter } from './log-lines.js';

/** One row of the queues table. */
export interface QueueRow {
  name: string;
  stats: QueueStats | null;
  paused: boolean;
  /** Jobs finished per second, recently. */
  rate: number;
  /** When (epoch ms) the longest-waiting ready job became ready; null when none is ready. */
  oldestReadyAt: number | null;
  /** The queue's rate limit; null when it has none. */
  rateLimit: RateLimit | null;
  /** Jobs are ready but the rate limit lets none start now. */
  rateLimited: boolean;
  /** A sharded queue's shards, each with its counts (and its primary on a cluster). */
  shards?: ShardRow[];
}

/** One shard of a sharded queue. */
export interface ShardRow {
  shard: number;
  node?: string;
  stats: QueueStats;
  paused: boolean;
}

/** The visible page of the selected queue's tab. */
export interface JobPage {
  queue: string;
  tab: StatusTab;
  offset: number;
  jobs: Job[];
  /** How many places the tab's offsets run over when the page was read (see `RedisQueue.pageJobs`). */
  total?: number;
}

/** The job whose detail is open. */
export interface DetailState {
  /** Its queue, or null while a search by id looks for it. */
  queue: string | null;
  id: string;
  job: Job | null;
  missing: boolean;
  scroll: number;
}

/** A search over the selected queue's tab: by id prefix, type or payload text. */
export interface SearchState {
  query: string;
  /** Matches, or null while the scan runs. */
  results: Job[] | null;
  /** How many jobs the scan looked at (it stops at a bound). */
  scanned: number;
}

/** A schedule row: one schedule of a shown queue, with its next and last runs. */
export type ScheduleRow = ScheduleInfo & { queue: string };

/** A worker row: one worker of any host, as its heartbeats describe it. */
export type WorkerRow = WorkerInfo;

/** The top line: where, whether, how busy and how fast. */
export interface HeaderState {
  address: string;
  /** On a Redis Cluster or behind Sentinel, where the queues run now (a failover changes it). */
  topology?: string;
  connection: ConnectionState;
  busy: number;
  concurrency: number;
  inRate: number;
  outRate: number;
  /** Jobs in / out per second, oldest first, for the sparklines. */
  inHistory: number[];
  outHistory: number[];
  /** `[alerts]` firing now, shown under the header line while there are any. */
  alerts: FiringAlertView[];
}

/** A y/n question before a dangerous action. */
export interface Prompt {
  message: string;
  confirm: () => void;
}

/** A line being typed: a search, the log filter's job id, or a page number to go to. */
export interface TextInput {
  kind: 'search' | 'logJob' | 'page';
  text: string;
}

/** A short message at the bottom. */
export interface Toast {
  id: number;
  level: 'info' | 'error';
  text: string;
  at: number;
}

/** Everything the console shows. */
export interface ConsoleState {
  readOnly: boolean;
  view: View;
  history: View[];
  queues: QueueRow[];
  selectedQueue: number;
  tab: StatusTab;
  offset: number;
  pageSize: number;
  selectedIndex: number;
  page: JobPage | null;
  search: SearchState | null;
  detail: DetailState | null;
  workers: WorkerRow[];
  /** The schedules of every shown queue (null until first loaded), and the selected one. */
  schedules: ScheduleRow[] | null;
  selectedSchedule: number;
  logs: LogLine[];
  logFilter: LogFilter;
  /** Lines the log view is scrolled up from the tail (0: it follows new lines), and how many it shows. */
  logScroll: number;
  logRows: number;
  header: HeaderState;
  prompt: Prompt | null;
  input: TextInput | null;
  toasts: Toast[];
  quitting: { inFlight: number } | null;
  helpScroll: number;
  /** Jobs marked for a bulk action (see marks.ts). */
  marks: Marks | null;
  /** The bulk action under way, for its progress line. */
  bulk: BulkProgress | null;
  /** Totals and per-minute history of the queue whose detail (`queue` view) is open. */
  queueCharts: QueueCharts | null;
}

/** What components and key bindings may do to the state. */
export interface ConsoleActions {
  open(view: View): void;
  back(): void;
  nextPane(): void;
  moveQueue(delta: number): void;
  selectTab(tab: StatusTab): void;
  cycleTab(delta: number): void;
  moveJob(delta: number): void;
  turnPage(delta: number): void;
  /** Goes to page `page` (1 is the first, `last` the last); a page past the end goes to the last. */
  goToPage(page: number | 'last'): void;
  setPageSize(size: number): void;
  openDetail(queue: string | null, id: string): void;
  scrollDetail(delta: number): void;
  startInput(kind: TextInput['kind']): void;
  editInput(text: string): void;
  cancelInput(): void;
  submitInput(): void;
  clearSearch(): void;
  cycleLogLevel(): void;
  /** Scrolls the log view by lines, or by pages of `logRows` lines; `tail` follows new lines again. */
  scrollLogs(delta: number | 'tail', unit?: 'line' | 'page'): void;
  setLogRows(rows: number): void;
  ask(prompt: Prompt): void;
  answer(yes: boolean): void;
  toast(level: Toast['level'], text: string): void;
  pruneToasts(olderThanMs: number): void;
  setQueues(queues: QueueRow[]): void;
  patchQueue(name: string, patch: Partial<QueueRow>): void;
  setPage(page: JobPage): void;
  setSearchResults(query: string, results: Job[], scanned: number): void;
  setDetail(detail: DetailState): void;
  setWorkers(workers: WorkerRow[]): void;
  setSchedules(schedules: ScheduleRow[]): void;
  moveSchedule(delta: number): void;
  appendLogs(lines: readonly LogLine[]): void;
  setHeader(patch: Partial<HeaderState>): void;
  setQuitting(inFlight: number): void;
  scrollHelp(delta: number): void;
  /** `space`: marks or unmarks the selected job. */
  toggleMark(): void;
  /** `A`: marks every job of the tab (or of the search), or, pressed again, none. */
  markAll(): void;
  clearMarks(): void;
  setBulk(bulk: BulkProgress | null): void;
  setQueueCharts(charts: QueueCharts | null): void;
}

/** The store: state plus actions. */
export type ConsoleStoreState = ConsoleState & ConsoleActions;
/** A console store instance. */
export type ConsoleStore = StoreApi<ConsoleStoreState>;

/** Log lines kept in the console (the host keeps its own buffer). */
export const MAX_LOG_LINES = 2_000;
const MAX_TOASTS = 3;
let toastIds = 0;

/** The jobs listed in the jobs pane: the search results when a search is on, else the page. */
export function listedJobs(state: ConsoleState): Job[] {
  if (state.search) return state.search.results ?? NO_JOBS;
  return state.page?.jobs ?? NO_JOBS;
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
export function pagedTotal(state: ConsoleState): number {
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
    const jobsTotal = () => pagedTotal(get());
    return {
      readOnly: init.readOnly ?? false,
      view: 'queues',
      history: [],
      queues: (init.queues ?? []).map((name) => ({ name, stats: null, paused: false, rate: 0, oldestReadyAt: null, rateLimit: null, rateLimited: false })),
      selectedQueue: 0,
      tab: 'pending',
      offset: 0,
      pageSize: 10,
      selectedIndex: 0,
      page: null,
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
        set({ view, history: main ? [] : [...history, current] });
      },
      back: () => {
        const { view, history, search } = get();
        if (history.length > 0) {
          set({ view: history[history.length - 1]!, history: history.slice(0, -1) });
        } else if (view === 'jobs' && search) {
          set({ search: null, selectedIndex: 0 });
        } else if (view !== 'queues') {
          set({ view: view === 'jobs' ? 'queues' : 'jobs', history: [] });
        }
      },
      nextPane: () => {
        const { view } = get();
        if (view === 'queues') set({ view: 'jobs' });
        else if (view === 'jobs') set({ view: 'queues' });
      },
      moveQueue: (delta) => {
        const { queues, selectedQueue } = get();
        const next = clamp(selectedQueue + delta, 0, Math.max(0, queues.length - 1));
        if (next !== selectedQueue) reposition({ selectedQueue: next, offset: 0, page: null });
      },
      selectTab: (tab) => {
        if (tab !== get().tab || get().search) reposition({ tab, offset: 0, page: null });
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
        // Keep the selected job on screen: start the page where it falls.
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
      patchQueue: (name, patch) => set({ queues: get().queues.map((q) => (q.name === name ? { ...q, ...patch } : q)) }),
      setPage: (page) => {
        const state = get();
        // Keep the same job selected when the page is refreshed under it.
        const selectedId = state.page?.jobs[state.selectedIndex]?.id;
        const same = state.page && state.page.queue === page.queue && state.page.tab === page.tab && state.page.offset === page.offset;
        const kept = same && selectedId ? page.jobs.findIndex((j) => j.id === selectedId) : -1;
        const selectedIndex = kept >= 0 ? kept : clamp(state.selectedIndex, 0, Math.max(0, page.jobs.length - 1));
        set({ page, selectedIndex });
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
