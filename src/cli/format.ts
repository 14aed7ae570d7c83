import type { Topology } from '../engine/connection.js';
import type { ShardOverview } from '../engine/sharded-reads.js';
import type { RedisCheck } from '../engine/diagnostics.js';
import type { FailedAttempt, Job, JobStatus, QueueStats, RateLimitStatus } from '../engine/types.js';
import type { QueueTotals } from '../engine/operations.js';
import type { ScheduleInfo } from '../engine/schedule-spec.js';
import { rateLimitText } from '../shared/rate-limit-text.js';
// Shared with the console (dependency-free, so the CLI stays light): job-supplied text must not
// drive the terminal when `flexq jobs` or `show` prints it, exactly as in the console. Jobs come
// here already presented (`presentJob`, secrets masked) by the actions.
import { presentJob, presentText, presentValue } from '../shared/present.js';
import { escapeUnseen, sanitize, terminalSafeJson } from '../shared/sanitize.js';
import { shortDuration } from '../shared/duration.js';
import { shownStatus, type ShownStatus } from '../shared/shown-status.js';

/** How output is drawn. */
export interface OutputStyle {
  /** ANSI colours; only for a terminal with NO_COLOR unset. */
  color: boolean;
}

/** The counts of one queue, whether it is paused, and where it runs when that is not one Redis. */
export interface QueueStatsEntry {
  queue: string;
  stats: QueueStats;
  paused: boolean;
  /** Completed and failed jobs since the queue was first used (retention does not lower them). */
  totals?: QueueTotals;
  /** Set on a Redis Cluster or behind Sentinel: the primaries serving the queue now. */
  topology?: Topology;
  /** Set when the queue has a rate limit: the limit and its window now. */
  rateLimit?: RateLimitStatus;
  /** Jobs are ready but the rate limit lets none start now. */
  rateLimited?: boolean;
  /** Set when the queue caps the running jobs of each fair group. */
  groupConcurrency?: number;
  /** A sharded queue's shards, each with its counts and (on a cluster) its primary. */
  shards?: ShardOverview[];
}


type Colour = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'cyan' | 'magenta';
const ANSI: Record<Colour, [string, string]> = {
  bold: ['\u001b[1m', '\u001b[22m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  blue: ['\u001b[34m', '\u001b[39m'],
  cyan: ['\u001b[36m', '\u001b[39m'],
  magenta: ['\u001b[35m', '\u001b[39m'],
};

const STATUS_COLOUR: Record<ShownStatus, Colour> = {
  pending: 'cyan',
  delayed: 'blue',
  processing: 'magenta',
  completed: 'green',
  failed: 'red',
  retrying: 'yellow',
  cancelled: 'dim',
};

/** A table cell: its text, and a colour applied after the column is padded. */
interface Cell {
  text: string;
  colour?: Colour;
}

/**
 * `flexq stats`: one row per queue, its state (running, paused, or limited: held by its rate
 * limit), counts right-aligned, and a LIMIT column (`100/1s`) when some queue has a rate limit.
 */
export function formatStats(entries: readonly QueueStatsEntry[], style: OutputStyle): string {
  // COMPLETED and FAILED count the jobs kept; the totals count every job since the queue was first used.
  const withTotals = entries.some((entry) => entry.totals !== undefined);
  const limits = entries.some((entry) => entry.rateLimit !== undefined);
  const header = [
    'QUEUE', 'STATE', 'PENDING', 'DELAYED', 'PROCESSING', 'RETRYING', 'COMPLETED', 'FAILED', 'CANCELLED',
    ...(withTotals ? ['ALL DONE', 'ALL FAILED'] : []), ...(limits ? ['LIMIT'] : []),
  ];
  // `extra`: the cells of the ALL DONE, ALL FAILED and LIMIT columns the table has.
  const row = (name: string, state: string, stats: QueueStats, extra: (string | number)[], colour?: Colour): Cell[] => [
    name,
    state,
    stats.pendingJobs,
    stats.delayedJobs,
    stats.processingJobs,
    stats.retryingJobs,
    stats.completedJobs,
    stats.failedJobs,
    stats.cancelledJobs,
    ...extra,
  ].map((value): Cell => ({ text: String(value), ...(colour === undefined ? {} : { colour }) }));
  // A sharded queue is one row, its shards below it (and their primaries on a cluster); the totals
  // and the rate limit are the queue's (summed over its shards), so shard rows leave those columns blank.
  const rows = entries.flatMap(({ queue, stats, paused, totals, shards = [], rateLimit, rateLimited }) => [
    row(queue, paused ? 'paused' : rateLimited ? 'limited' : 'running', stats, [
      ...(withTotals ? [totals?.completed ?? '-', totals?.failed ?? '-'] : []), ...(limits ? [rateLimit ? rateLimitText(rateLimit) : '-'] : []),
    ]),
    ...shards.map((shard) => row(
      `  #${shard.shard}${shard.node === undefined ? '' : ` ${shard.node}`}`, shard.paused ? 'paused' : 'running', shard.stats,
      [...(withTotals ? ['', ''] : []), ...(limits ? [''] : [])], 'dim',
    )),
  ]);
  // Cluster and Sentinel say where the queues run now: a failover changes it.
  const topology = entries.find((entry) => entry.topology !== undefined)?.topology;
  const where = topology === undefined ? '' : `Redis ${topology.kind}: ${topology.kind === 'cluster' ? 'primaries' : 'primary'} ${topology.primaries.join(', ')}\n`;
  return where + renderTable(header, rows, (column) => column > 1, style);
}

/**
 * `flexq stats --json`: counts, `paused` and `totals`, keyed by queue name; with a rate limit,
 * `rateLimit` (max, per ms, started in the window, opensIn ms) and `rateLimited`; with a group cap,
 * `groupConcurrency`.
 */
export function statsJson(entries: readonly QueueStatsEntry[]): string {
  return toJson(Object.fromEntries(entries.map(({ queue, stats, paused, totals, topology, shards, rateLimit, rateLimited, groupConcurrency }) => [queue, {
    ...stats, paused, ...(totals === undefined ? {} : { totals }), ...(topology === undefined ? {} : { topology }),
    ...(rateLimit === undefined ? {} : { rateLimit, rateLimited }),
    ...(groupConcurrency === undefined ? {} : { groupConcurrency }),
    ...(shards === undefined ? {} : { shards: shards.map(({ stats: counts, oldestReadyAt: _at, ...shard }) => ({ ...shard, ...counts })) }),
  }])));
}

/**
 * How a job list is ordered, and so which time it shows: `recent`, newest first by when each job
 * entered its status (SINCE); `due`, delayed jobs soonest first by when they run (DUE).
 */
export type JobsOrder = 'recent' | 'due';

/**
 * `flexq jobs`: one row per job; the error is cut to one short line. The time shown is the one the
 * list is ordered by (see `JobsOrder`), so the order can be checked by eye.
 */
export function formatJobs(listed: readonly Job[], style: OutputStyle, order: JobsOrder = 'recent', now: number = Date.now()): string {
  if (listed.length === 0) return 'no jobs\n';
  // The actions present jobs with the configured paths; the default names are masked here again
  // so that no caller can print a job in clear.
  const jobs = listed.map((job) => presentJob(job));
  const header = ['ID', 'QUEUE', 'TYPE', 'STATUS', 'PRIORITY', 'ATTEMPTS', order === 'due' ? 'DUE' : 'SINCE', 'ERROR'];
  const rows = jobs.map((job): Cell[] => {
    const status = shownStatus(job, now);
    const time = order === 'due' ? job.runAt : job.enteredAt;
    return [
      { text: job.id },
      { text: job.queue },
      { text: sanitize(job.type) },
      { text: status, colour: STATUS_COLOUR[status] },
      { text: String(job.priority) },
      { text: `${job.attempts}/${job.maxAttempts}` },
      { text: time === undefined ? '-' : shortTime(time) },
      { text: oneLine(job.error ?? '', 60) },
    ];
  });
  return renderTable(header, rows, (column) => column === 4 || column === 5, style);
}

/** `flexq jobs --json`: the jobs as an array, dates as ISO strings. */
export function jobsJson(jobs: readonly Job[]): string {
  return toJson(jobs);
}

/** `flexq show`: every field of one job, payload and result as indented JSON, failed attempts oldest first. */
export function formatJob(stored: Job, style: OutputStyle, now: number = Date.now()): string {
  const job = presentJob(stored); // as in formatJobs
  const status = shownStatus(job, now);
  const fields: [string, Cell | undefined][] = [
    ['id', { text: job.id }],
    ['queue', { text: job.queue }],
    ['type', { text: sanitize(job.type) }],
    ['status', { text: status, colour: STATUS_COLOUR[status] }],
    ['attempts', { text: `${job.attempts}/${job.maxAttempts}` }],
    ['priority', { text: String(job.priority) }],
    ['group', optional(job.group, sanitize)],
    ['delay', { text: `${job.delay} ms` }],
    ['timeout', optional(job.timeout, (ms) => `${ms} ms`)],
    ['created', { text: job.createdAt.toISOString() }],
    ['entered', { text: job.enteredAt.toISOString() }],
    ['runs at', optional(job.runAt, (date) => date.toISOString())],
    ['processed', optional(job.processedAt, (date) => date.toISOString())],
    ['failed', optional(job.failedAt, (date) => date.toISOString())],
    ['error', optional(job.error, sanitize, 'red')],
    ['progress', optional(job.progress, indentedJson)],
    ['payload', { text: indentedJson(job.payload) }],
    ['result', optional(job.result, indentedJson)],
    ['failed attempts', job.history === undefined || job.history.length === 0 ? undefined : { text: attemptLines(job.history) }],
  ];
  const shown = fields.filter((field): field is [string, Cell] => field[1] !== undefined);
  const width = Math.max(...shown.map(([label]) => label.length));
  return shown
    .map(([label, cell]) => {
      // Continuation lines of multi-line values line up under the first one.
      const text = cell.text.split('\n').join(`\n${' '.repeat(width + 2)}`);
      return `${paint(label.padEnd(width), 'bold', style)}  ${paint(text, cell.colour, style)}\n`;
    })
    .join('');
}

/** One schedule of `flexq schedules`, with its queue. */
export type ScheduleEntry = ScheduleInfo & { queue: string };

/** When a schedule runs, as written: `0 3 * * * (Europe/Berlin)` or `every 1m00s` (as the console shows it). */
function timingText(schedule: ScheduleInfo): string {
  if (schedule.every !== undefined) return `every ${shortDuration(schedule.every)}`;
  return schedule.tz === undefined ? schedule.cron ?? '' : `${schedule.cron} (${schedule.tz})`;
}

/** `flexq schedules`: one row per schedule, next and last runs in UTC. */
export function formatSchedules(schedules: readonly ScheduleEntry[], style: OutputStyle): string {
  if (schedules.length === 0) return 'no schedules\n';
  const header = ['QUEUE', 'NAME', 'WHEN', 'TYPE', 'STATE', 'NEXT', 'LAST', 'SOURCE'];
  const rows = schedules.map((schedule): Cell[] => [
    { text: schedule.queue },
    { text: schedule.name },
    { text: sanitize(timingText(schedule)) },
    { text: sanitize(schedule.job.type) },
    schedule.paused ? { text: 'paused', colour: 'yellow' } : { text: 'active', colour: 'green' },
    { text: schedule.paused ? '-' : shortTime(schedule.nextRunAt) },
    { text: schedule.lastRunAt === undefined ? '-' : shortTime(schedule.lastRunAt) },
    { text: schedule.source },
  ]);
  return renderTable(header, rows, () => false, style);
}

/** `flexq schedules --json`: the schedules as an array, dates as ISO strings. */
export function schedulesJson(schedules: readonly ScheduleEntry[]): string {
  return toJson(schedules);
}

/** `flexq show --json`: the job object, dates as ISO strings. */
export function jobJson(job: Job): string {
  return toJson(job);
}

const CHECK_MARKS: Record<RedisCheck['level'], [string, Colour]> = { ok: ['ok', 'green'], warn: ['WARN', 'yellow'], error: ['FAIL', 'red'] };

/** `flexq doctor`: one line per check, then what to do about each that is not ok. */
export function formatChecks(address: string, checks: readonly RedisCheck[], style: OutputStyle): string {
  const lines = [`Redis at ${address}`];
  for (const check of checks) {
    const [mark, colour] = CHECK_MARKS[check.level];
    lines.push(`${paint(mark.padEnd(4), colour, style)}  ${check.name.padEnd(11)}  ${shownText(check.detail)}`);
    if (check.fix !== undefined && check.level !== 'ok') lines.push(`${' '.repeat(19)}fix: ${shownText(check.fix)}`);
  }
  return `${shownText(lines[0] ?? '')}\n${lines.slice(1).join('\n')}\n`;
}

/** Lays out rows in columns padded to their widest cell; `right` picks right-aligned columns. */
function renderTable(header: readonly string[], rows: readonly Cell[][], right: (column: number) => boolean, style: OutputStyle): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.text.length ?? 0)));
  const line = (cells: readonly Cell[]) =>
    cells
      .map((cell, column) => {
        // The last column is not padded: trailing spaces inside colour codes would survive trimEnd.
        const width = column === cells.length - 1 && !right(column) ? 0 : (widths[column] ?? 0);
        const padded = right(column) ? cell.text.padStart(width) : cell.text.padEnd(width);
        return paint(padded, cell.colour, style);
      })
      .join('  ')
      .trimEnd();
  const headerLine = line(header.map((text): Cell => ({ text, colour: 'bold' })));
  return [headerLine, ...rows.map(line)].map((text) => `${text}\n`).join('');
}

function paint(text: string, colour: Colour | undefined, style: OutputStyle): string {
  if (!style.color || colour === undefined) return text;
  const [open, close] = ANSI[colour];
  return `${open}${text}${close}`;
}

function optional<T>(value: T | undefined, show: (value: T) => string, colour?: Colour): Cell | undefined {
  if (value === undefined) return undefined;
  return colour === undefined ? { text: show(value) } : { text: show(value), colour };
}

/** One line per failed attempt: `#2  2026-01-31 12:00:05  retrying  SMTP said no`. */
function attemptLines(history: readonly FailedAttempt[]): string {
  const outcomeWidth = Math.max(...history.map((attempt) => attempt.outcome.length));
  return history
    .map((attempt) => `#${attempt.attempt}  ${shortTime(attempt.at)}  ${attempt.outcome.padEnd(outcomeWidth)}  ${oneLine(attempt.error, 200)}`)
    .join('\n');
}

/**
 * Text as the CLI prints it (error messages, warnings, doctor findings): secrets masked (a URL's
 * password, a token a server echoed), then control and invisible characters written as `\uXXXX`:
 * these messages quote what was typed, and stripped it could read as another, valid value.
 */
export function shownText(text: string): string {
  return escapeUnseen(presentText(text));
}

function indentedJson(value: unknown): string {
  return sanitize(JSON.stringify(value, null, 2) ?? String(value));
}

/** Every `--json` output: secrets in strings masked, control and invisible characters as `\uXXXX`. */
function toJson(value: unknown): string {
  return `${terminalSafeJson(presentValue(value), 2) ?? 'null'}\n`;
}

/** `flexq doctor --json`: the address, overall health and each finding. */
export function checksJson(address: string, ok: boolean, checks: readonly RedisCheck[]): string {
  return toJson({ redis: address, ok, checks });
}

/** `2026-01-31 12:00:05`, in UTC like every other time flexq prints. */
function shortTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function oneLine(text: string, max: number): string {
  const flat = sanitize(text).replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
