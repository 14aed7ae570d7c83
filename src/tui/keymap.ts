/**
 * Every key binding of the console, as data: the one table drives key handling, the footer hints and
 * the `?` help screen. `mutates` bindings vanish in read-only mode; those with `confirm` ask y/n first.
 */
import type { Key } from 'ink';
import type { Job, JobStatus } from '../engine/types.js';
import {
  STATUS_TABS, listedJobs, pageCount, selectedQueueRow, selectedScheduleRow, tabTotal, targetJob,
  type ConsoleState, type ConsoleStore, type ScheduleRow, type View,
} from './store.js';
import { BULK_TABS, markedCount, marksShown, type BulkAction, type Marks } from './marks.js';
import { shownStatus } from '../shared/shown-status.js';

/** Where a binding applies: a view, the y/n prompt, a line being typed, or the wait while quitting. */
export type KeyScope = View | 'prompt' | 'input' | 'quitting';

/** What the console can ask of the engine (implemented by the data source). */
export interface ConsoleCommands {
  cancel(job: Job): Promise<void>;
  retry(job: Job): Promise<void>;
  changePriority(job: Job, delta: number): Promise<void>;
  togglePause(queue: string): Promise<void>;
  /** Deletes a finished job. */
  remove(job: Job): Promise<void>;
  /** Retries, cancels or deletes the marked jobs, with progress in the store. */
  bulk(action: BulkAction, marks: Marks): Promise<void>;
  toggleSchedulePause(schedule: ScheduleRow): Promise<void>;
  triggerSchedule(schedule: ScheduleRow): Promise<void>;
}

/** What an action works with. */
export interface KeyContext {
  store: ConsoleStore;
  commands: ConsoleCommands;
  /** Graceful quit: waits for in-flight jobs, then leaves through Ink's `exit()`. */
  quit(): void;
  /** Quit now, asked for while a graceful quit waits: running jobs are left to their leases. */
  forceQuit(): void;
}

/** What every key binding has. */
interface BindingBase {
  /** Key names as `keyName` gives them: a character, or `up`, `enter`, `escape`, `tab`, `pagedown`… */
  keys: readonly string[];
  /** How the keys are shown: `↑/k`. */
  label: string;
  scopes: readonly KeyScope[];
  description: string;
  /**
   * Short word for the footer, or the word for the state shown (`resume` for a paused queue);
   * bindings without one are only in the help screen.
   */
  hint?: string | ((state: ConsoleState) => string);
  /** Footer order: lower comes first, so a narrow footer keeps what matters most (default 5). */
  rank?: number;
  /**
   * Whether the key can do anything in `state` (default: always); the footer leaves out a key that
   * would only refuse or do nothing. Job bindings say so of a job through `refuses`.
   */
  when?: (state: ConsoleState) => boolean;
  /** Changes something in Redis or the host: removed in read-only mode. */
  mutates?: boolean;
}

/** A binding that moves around or changes what is shown. */
export interface ViewBinding extends BindingBase {
  action: (ctx: KeyContext, key: string) => void;
}

/**
 * A binding that acts on one job. The job is taken when the key is pressed, and a y/n answer acts on
 * that job: the list may have moved under the prompt, so the selection then may be another job.
 */
export interface JobBinding extends BindingBase {
  onJob: (ctx: KeyContext, job: Job, key: string) => Promise<void>;
  /** Asks y/n first, with this question about the job. */
  confirm?: (job: Job) => string;
  /** Why the binding cannot act on `job` (said instead of asking or acting); undefined when it can. */
  refuses?: (job: Job) => string | undefined;
}

/** One key binding. */
export type KeyBinding = ViewBinding | JobBinding;

/** Whether a binding asks y/n before it acts. */
export function asksFirst(binding: KeyBinding): boolean {
  return 'confirm' in binding && binding.confirm !== undefined;
}

const MAIN: readonly KeyScope[] = ['queues', 'jobs'];
const JOBS_AND_DETAIL: readonly KeyScope[] = ['jobs', 'detail'];
const EVERY_VIEW: readonly KeyScope[] = ['queues', 'jobs', 'detail', 'workers', 'logs', 'help', 'queue', 'schedules'];

/** Runs `act` on the selected schedule, or says there is none. */
const onSchedule = (c: KeyContext, act: (schedule: ScheduleRow) => Promise<void>) => {
  const schedule = selectedScheduleRow(state(c));
  if (schedule) void act(schedule);
  else state(c).toast('error', 'no schedule selected');
};

const state = (ctx: KeyContext) => ctx.store.getState();

// The statuses the engine's cancelJob takes (a delayed job is stored as pending), and retryJob and removeJob.
const CANCELLABLE: readonly JobStatus[] = ['pending', 'retrying', 'processing'];
const RETRYABLE: readonly JobStatus[] = ['failed', 'cancelled'];
const FINISHED: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

/** A binding's refusal of a job whose status is not among `statuses`, which `can` describes. */
const onlyFor = (statuses: readonly JobStatus[], can: string) => (job: Job) =>
  statuses.includes(job.status) ? undefined : `job ${job.id} is ${shownStatus(job, Date.now())}: only ${can}`;

// setPriority's statuses: a delayed job is stored as pending.
const WAITING: readonly JobStatus[] = ['pending', 'retrying'];
const reprioritises = onlyFor(WAITING, 'pending, delayed or retrying jobs change priority');

const BULK_VERBS: Record<BulkAction, string> = { retry: 'Retry', cancel: 'Cancel', delete: 'Delete' };

// When keys can act, for the footer: a queue is shown, a job is listed, the tab has pages to turn.
const hasQueue = (s: ConsoleState) => selectedQueueRow(s) !== null;
const hasJobs = (s: ConsoleState) => listedJobs(s).length > 0;
const hasPages = (s: ConsoleState) => s.search === null && pageCount(s) > 1;
const hasSchedule = (s: ConsoleState) => selectedScheduleRow(s) !== null;
/** Whether `R`, `C` or `D` would act: jobs of this tab are marked, and the action takes jobs of the tab. */
const bulkApplies = (action: BulkAction) => (s: ConsoleState) =>
  BULK_TABS[action].includes(s.tab) && marksShown(s.marks, selectedQueueRow(s)?.name, s.tab) !== null;

/** `R`, `C`, `D`: asks y/n naming how many marked jobs the action touches, then runs it. */
function askBulk(ctx: KeyContext, action: BulkAction): void {
  const s = state(ctx);
  const row = selectedQueueRow(s);
  const marks = marksShown(s.marks, row?.name, s.tab);
  if (!row || !marks) return s.toast('error', 'no job marked: space marks the selected job, A every job of the tab');
  if (!BULK_TABS[action].includes(s.tab)) return s.toast('error', `${action} applies to ${BULK_TABS[action].join(', ')} jobs, not ${s.tab}`);
  const count = markedCount(marks, tabTotal(row.stats, s.tab));
  if (count === 0) return s.toast('error', `no ${s.tab} jobs to ${action} in queue ${row.name}`);
  const which = marks.all ? `every ${s.tab} job (${count} now)` : `${count} marked ${s.tab} job${count === 1 ? '' : 's'}`;
  s.ask({ message: `${BULK_VERBS[action]} ${which} of queue ${row.name}? y/n`, confirm: () => void ctx.commands.bulk(action, marks) });
}

/** The key table. Order matters only for display. */
export const KEYMAP: readonly KeyBinding[] = [
  // Moving around
  { keys: ['up', 'k'], label: '↑/k', scopes: ['queues'], description: 'previous queue', action: (c) => state(c).moveQueue(-1) },
  { keys: ['down', 'j'], label: '↓/j', scopes: ['queues'], description: 'next queue', action: (c) => state(c).moveQueue(1) },
  { keys: ['up', 'k'], label: '↑/k', scopes: ['jobs'], description: 'previous job', action: (c) => state(c).moveJob(-1) },
  { keys: ['down', 'j'], label: '↓/j', scopes: ['jobs'], description: 'next job', action: (c) => state(c).moveJob(1) },
  { keys: ['up', 'k'], label: '↑/k', scopes: ['detail'], description: 'scroll up', action: (c) => state(c).scrollDetail(-1) },
  { keys: ['down', 'j'], label: '↓/j', scopes: ['detail'], description: 'scroll down', action: (c) => state(c).scrollDetail(1) },
  { keys: ['up', 'k'], label: '↑/k', scopes: ['help'], description: 'scroll up', action: (c) => state(c).scrollHelp(-1) },
  { keys: ['down', 'j'], label: '↓/j', scopes: ['help'], description: 'scroll down', action: (c) => state(c).scrollHelp(1) },
  { keys: ['up', 'k'], label: '↑/k', scopes: ['logs'], description: 'scroll up', action: (c) => state(c).scrollLogs(-1) },
  { keys: ['down', 'j'], label: '↓/j', scopes: ['logs'], description: 'scroll down', action: (c) => state(c).scrollLogs(1) },
  { keys: ['pageup'], label: 'PgUp', scopes: ['logs'], description: 'scroll up a page', action: (c) => state(c).scrollLogs(-1, 'page') },
  { keys: ['pagedown'], label: 'PgDn', scopes: ['logs'], description: 'scroll down a page', action: (c) => state(c).scrollLogs(1, 'page') },
  { keys: ['G', 'end'], label: 'G/End', scopes: ['logs'], description: 'follow the tail again', hint: 'follow', when: (s) => s.logScroll > 0, action: (c) => state(c).scrollLogs('tail') },
  { keys: ['enter'], label: 'Enter', scopes: ['queues'], description: 'open the queue\'s jobs', hint: 'open', when: hasQueue, action: (c) => state(c).open('jobs') },
  {
    keys: ['enter'], label: 'Enter', scopes: ['jobs'], description: 'open the job\'s detail', hint: 'open', when: hasJobs,
    action: (c) => {
      const job = targetJob(state(c));
      if (job) state(c).openDetail(job.queue, job.id);
    },
  },
  { keys: ['escape'], label: 'Esc', scopes: ['jobs', 'detail', 'workers', 'logs', 'help', 'queue'], description: 'back', hint: 'back', action: (c) => state(c).back() },
  { keys: ['tab', 'shift-tab'], label: 'Tab', scopes: MAIN, description: 'switch between queues and jobs panes', hint: 'pane', action: (c) => state(c).nextPane() },
  {
    keys: STATUS_TABS.map((_, i) => String(i + 1)), label: `1–${STATUS_TABS.length}`, scopes: MAIN,
    description: `status tab: ${STATUS_TABS.join(', ')}`, hint: 'tabs', when: hasQueue,
    action: (c, key) => {
      state(c).selectTab(STATUS_TABS[Number(key) - 1]!);
      state(c).open('jobs');
    },
  },
  { keys: ['left'], label: '←', scopes: ['jobs'], description: 'previous status tab', action: (c) => state(c).cycleTab(-1) },
  { keys: ['right'], label: '→', scopes: ['jobs'], description: 'next status tab', action: (c) => state(c).cycleTab(1) },
  { keys: ['pagedown', ']'], label: 'PgDn/]', scopes: ['jobs'], description: 'next page', hint: 'page', when: hasPages, action: (c) => state(c).turnPage(1) },
  { keys: ['pageup', '['], label: 'PgUp/[', scopes: ['jobs'], description: 'previous page', action: (c) => state(c).turnPage(-1) },
  { keys: ['home'], label: 'Home', scopes: ['jobs'], description: 'first page', action: (c) => state(c).goToPage(1) },
  { keys: ['G', 'end'], label: 'G/End', scopes: ['jobs'], description: 'last page', hint: 'last', when: hasPages, action: (c) => state(c).goToPage('last') },
  { keys: [':'], label: ':', scopes: ['jobs'], description: 'go to page… (type its number, Enter)', hint: 'page#', when: hasPages, action: (c) => state(c).startInput('page') },
  { keys: ['/'], label: '/', scopes: MAIN, description: 'search id, type, payload or error text; age>1h, age<5m (a full id opens the job)', hint: 'search', when: hasQueue, action: (c) => state(c).startInput('search') },

  // Actions on jobs and queues
  {
    keys: ['c'], label: 'c', scopes: JOBS_AND_DETAIL, description: 'cancel a pending, delayed, retrying or running job (asks y/n; aborts a running handler)', hint: 'cancel', rank: 1, mutates: true,
    confirm: (job) => `Cancel job ${job.id} (${job.type}, ${shownStatus(job, Date.now())})? y/n`,
    refuses: onlyFor(CANCELLABLE, 'pending, delayed, retrying or processing jobs can be cancelled'),
    onJob: (c, job) => c.commands.cancel(job),
  },
  {
    keys: ['r'], label: 'r', scopes: JOBS_AND_DETAIL, description: 'retry a failed or cancelled job', hint: 'retry', rank: 1, mutates: true,
    refuses: onlyFor(RETRYABLE, 'failed or cancelled jobs can be retried'), onJob: (c, job) => c.commands.retry(job),
  },
  {
    keys: ['+', '='], label: '+', scopes: JOBS_AND_DETAIL, description: 'raise the job\'s priority by 1', hint: 'prio±', rank: 1, mutates: true,
    refuses: reprioritises, onJob: (c, job) => c.commands.changePriority(job, 1),
  },
  {
    keys: ['-'], label: '-', scopes: JOBS_AND_DETAIL, description: 'lower the job\'s priority by 1', mutates: true,
    refuses: reprioritises, onJob: (c, job) => c.commands.changePriority(job, -1),
  },
  {
    keys: ['p'], label: 'p', scopes: MAIN, description: 'pause / resume the selected queue', rank: 1, mutates: true, when: hasQueue,
    hint: (s) => (selectedQueueRow(s)?.paused ? 'resume' : 'pause'),
    action: (c) => {
      const row = selectedQueueRow(state(c));
      if (row) void c.commands.togglePause(row.name);
    },
  },

  // Marking jobs and acting on the marked ones
  { keys: [' '], label: 'Space', scopes: ['jobs'], description: 'mark / unmark the job, for R, C and D (marked rows show *)', hint: 'mark', rank: 2, mutates: true, when: hasJobs, action: (c) => state(c).toggleMark() },
  { keys: ['A'], label: 'A', scopes: ['jobs'], description: 'mark every job of the tab (of the search, when one is on); again: none', hint: 'all', rank: 2, mutates: true, when: hasJobs, action: (c) => state(c).markAll() },
  { keys: ['R'], label: 'R', scopes: ['jobs'], description: 'retry the marked jobs (asks y/n, says how many)', hint: 'retry marked', rank: 2, mutates: true, when: bulkApplies('retry'), action: (c) => askBulk(c, 'retry') },
  { keys: ['C'], label: 'C', scopes: ['jobs'], description: 'cancel the marked jobs (asks y/n, says how many)', hint: 'cancel marked', rank: 2, mutates: true, when: bulkApplies('cancel'), action: (c) => askBulk(c, 'cancel') },
  { keys: ['D'], label: 'D', scopes: ['jobs'], description: 'delete the marked finished jobs (asks y/n, says how many)', hint: 'delete marked', rank: 2, mutates: true, when: bulkApplies('delete'), action: (c) => askBulk(c, 'delete') },
  {
    keys: ['d'], label: 'd', scopes: JOBS_AND_DETAIL, description: 'delete a finished job (asks y/n)', hint: 'delete', rank: 1, mutates: true,
    confirm: (job) => `Delete job ${job.id} (${job.type}, ${job.status})? y/n`,
    refuses: onlyFor(FINISHED, 'completed, failed or cancelled jobs can be deleted'),
    onJob: (c, job) => c.commands.remove(job),
  },
  { keys: ['i'], label: 'i', scopes: MAIN, description: 'queue detail: totals, throughput and failures over the last hour and day', hint: 'charts', when: hasQueue, action: (c) => state(c).open('queue') },

  // Schedules
  { keys: ['up', 'k'], label: '↑/k', scopes: ['schedules'], description: 'previous schedule', action: (c) => state(c).moveSchedule(-1) },
  { keys: ['down', 'j'], label: '↓/j', scopes: ['schedules'], description: 'next schedule', action: (c) => state(c).moveSchedule(1) },
  { keys: ['escape'], label: 'Esc', scopes: ['schedules'], description: 'back', hint: 'back', action: (c) => state(c).back() },
  {
    keys: ['p'], label: 'p', scopes: ['schedules'], description: 'pause / resume the selected schedule', rank: 1, mutates: true, when: hasSchedule,
    hint: (s) => (selectedScheduleRow(s)?.paused ? 'resume' : 'pause'),
    action: (c) => onSchedule(c, (schedule) => c.commands.toggleSchedulePause(schedule)),
  },
  {
    keys: ['t'], label: 't', scopes: ['schedules'], description: 'run the selected schedule now (adds its job, paused or not)', hint: 'run now', rank: 1, mutates: true, when: hasSchedule,
    action: (c) => onSchedule(c, (schedule) => c.commands.triggerSchedule(schedule)),
  },

  // Logs
  { keys: ['e'], label: 'e', scopes: ['logs'], description: 'cycle the minimum level: all, debug, info, warn, error', hint: 'level', action: (c) => state(c).cycleLogLevel() },
  { keys: ['f'], label: 'f', scopes: ['logs'], description: 'filter by job id (empty: all jobs)', hint: 'job', action: (c) => state(c).startInput('logJob') },

  // Screens
  { keys: ['l'], label: 'l', scopes: EVERY_VIEW, description: 'log tail', hint: 'logs', action: (c) => state(c).open('logs') },
  { keys: ['w'], label: 'w', scopes: EVERY_VIEW, description: 'workers', hint: 'workers', action: (c) => state(c).open('workers') },
  { keys: ['s'], label: 's', scopes: EVERY_VIEW, description: 'schedules', hint: 'schedules', action: (c) => state(c).open('schedules') },
  { keys: ['?'], label: '?', scopes: EVERY_VIEW, description: 'help: every key', hint: 'help', action: (c) => (state(c).view === 'help' ? state(c).back() : state(c).open('help')) },
  { keys: ['q'], label: 'q', scopes: EVERY_VIEW, description: 'quit (waits for in-flight jobs)', hint: 'quit', action: (c) => c.quit() },
  // Ctrl-C reaches the console as a key (the terminal is in raw mode), so it is bound in every scope:
  // once to quit gracefully, as SIGINT would, and again, while that waits, to quit at once.
  { keys: ['ctrl-c'], label: 'Ctrl-C', scopes: [...EVERY_VIEW, 'prompt', 'input'], description: 'quit, as q does (also in a y/n prompt or while typing)', action: (c) => c.quit() },
  { keys: ['ctrl-c'], label: 'Ctrl-C', scopes: ['quitting'], description: 'quit at once (running jobs run again once their lease expires)', action: (c) => c.forceQuit() },

  // The y/n prompt and typed lines
  { keys: ['y'], label: 'y', scopes: ['prompt'], description: 'yes, do it', action: (c) => state(c).answer(true) },
  { keys: ['n', 'escape'], label: 'n/Esc', scopes: ['prompt'], description: 'no, leave it', action: (c) => state(c).answer(false) },
  { keys: ['enter'], label: 'Enter', scopes: ['input'], description: 'apply', action: (c) => state(c).submitInput() },
  { keys: ['escape'], label: 'Esc', scopes: ['input'], description: 'cancel typing', action: (c) => state(c).cancelInput() },
];

/** The name of a key press: a printable character, or `up`, `enter`, `escape`, `tab`, `shift-tab`… */
export function keyName(input: string, key: Key): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pageup';
  if (key.pageDown) return 'pagedown';
  if (key.home) return 'home';
  if (key.end) return 'end';
  if (key.return) return 'enter';
  if (key.escape) return 'escape';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.backspace || key.delete) return 'backspace';
  if (key.ctrl) return `ctrl-${input}`;
  return input;
}

/** The bindings that exist in `scope` (read-only mode drops every binding that mutates). */
export function bindingsFor(scope: KeyScope, readOnly: boolean): KeyBinding[] {
  return KEYMAP.filter((b) => b.scopes.includes(scope) && !(readOnly && b.mutates));
}

/** Whether `binding` can act in `state` on `job` (null: none is selected), for the footer. */
export function appliesTo(binding: KeyBinding, job: Job | null, state: ConsoleState): boolean {
  if (binding.when && !binding.when(state)) return false;
  if (!('onJob' in binding)) return true;
  return job !== null && binding.refuses?.(job) === undefined;
}

/** The footer word of a binding that has one, for the state shown. */
export function hintOf(binding: KeyBinding, state: ConsoleState): string | undefined {
  return typeof binding.hint === 'function' ? binding.hint(state) : binding.hint;
}

/** Every binding that exists, for the help screen. */
export function allBindings(readOnly: boolean): KeyBinding[] {
  return KEYMAP.filter((b) => !(readOnly && b.mutates));
}

/**
 * Runs the binding of `name` in `scope`. A job binding takes its job now, and one that asks first binds
 * the question's answer to that job. True when a binding took the key.
 */
export function dispatchKey(scope: KeyScope, name: string, ctx: KeyContext): boolean {
  const state = ctx.store.getState();
  const binding = bindingsFor(scope, state.readOnly).find((b) => b.keys.includes(name));
  if (!binding) return false;
  if (!('onJob' in binding)) {
    binding.action(ctx, name);
    return true;
  }
  const job = targetJob(state);
  if (!job) {
    state.toast('error', 'no job selected');
    return true;
  }
  const refusal = binding.refuses?.(job);
  if (refusal !== undefined) {
    state.toast('error', refusal);
    return true;
  }
  const run = () => void binding.onJob(ctx, job, name);
  if (binding.confirm) state.ask({ message: binding.confirm(job), confirm: run });
  else run();
  return true;
}
