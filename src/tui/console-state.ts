/**
 * What the console's store holds and the actions it takes (the shapes only; store.ts builds the
 * store and reads it).
 */
import type { StoreApi } from 'zustand/vanilla';
import type { Job, QueueStats, RateLimit, WorkerInfo } from '../engine/types.js';
import type { ScheduleInfo } from '../engine/schedule-spec.js';
import type { ConnectionState, FiringAlertView, LogLine } from './host-view.js';
import type { LogFilter } from './log-lines.js';
import type { BulkProgress, Marks } from './marks.js';
import type { QueueCharts } from './history-chart.js';

/** The job tabs of a queue, in key order 1–7. `pending` lists the jobs ready to run, `delayed` those waiting for their time. */
export const STATUS_TABS = ['pending', 'delayed', 'processing', 'retrying', 'failed', 'completed', 'cancelled'] as const;
/** One job tab. */
export type StatusTab = (typeof STATUS_TABS)[number];

/** What fills the screen; `queues` and `jobs` are the two panes of the main screen. */
export type View = 'queues' | 'jobs' | 'detail' | 'workers' | 'logs' | 'help' | 'queue' | 'schedules';

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
  /** At most this many jobs of one fair group run at once; absent when there is no cap. */
  groupConcurrency?: number;
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

/** A search over the selected queue's tab: by id, type, payload or error text, and `age>D` / `age<D`. */
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
  /**
   * The first page last read of each queue's tabs (`knownPageKey`), so that a tab opened while Redis
   * is away shows its last known jobs rather than none. One per queue and tab: bounded by queues.
   */
  knownPages: Readonly<Record<string, JobPage>>;
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
  /** Appends rows for queues first seen now (their counts follow when read). */
  addQueues(names: readonly string[]): void;
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
