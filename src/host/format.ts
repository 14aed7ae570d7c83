import type { Job, JobStatus, QueueStats } from '../engine/types.js';

/** How output is drawn. */
export interface OutputStyle {
  /** ANSI colours; only for a terminal with NO_COLOR unset. */
  color: boolean;
}

/** The counts of one queue. */
export interface QueueStatsEntry {
  queue: string;
  stats: QueueStats;
}

type Colour = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta';
const ANSI: Record<Colour, [string, string]> = {
  bold: ['\u001b[1m', '\u001b[22m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  red: ['\u001b[31m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
  yellow: ['\u001b[33m', '\u001b[39m'],
  cyan: ['\u001b[36m', '\u001b[39m'],
  magenta: ['\u001b[35m', '\u001b[39m'],
};

const STATUS_COLOUR: Record<JobStatus, Colour> = {
  pending: 'cyan',
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

/** `flexq stats`: one row per queue, counts right-aligned. */
export function formatStats(entries: readonly QueueStatsEntry[], style: OutputStyle): string {
  const header = ['QUEUE', 'PENDING', 'DELAYED', 'PROCESSING', 'RETRYING', 'COMPLETED', 'FAILED', 'CANCELLED'];
  const rows = entries.map(({ queue, stats }) =>
    [
      queue,
      stats.pendingJobs,
      stats.delayedJobs,
      stats.processingJobs,
      stats.retryingJobs,
      stats.completedJobs,
      stats.failedJobs,
      stats.cancelledJobs,
    ].map((value): Cell => ({ text: String(value) })),
  );
  return renderTable(header, rows, (column) => column > 0, style);
}

/** `flexq stats --json`: counts keyed by queue name. */
export function statsJson(entries: readonly QueueStatsEntry[]): string {
  return toJson(Object.fromEntries(entries.map(({ queue, stats }) => [queue, stats])));
}

/** `flexq jobs`: one row per job; the error is cut to one short line. */
export function formatJobs(jobs: readonly Job[], style: OutputStyle): string {
  if (jobs.length === 0) return 'no jobs\n';
  const header = ['ID', 'QUEUE', 'TYPE', 'STATUS', 'PRIORITY', 'ATTEMPTS', 'CREATED', 'ERROR'];
  const rows = jobs.map((job): Cell[] => [
    { text: job.id },
    { text: job.queue },
    { text: job.type },
    { text: job.status, colour: STATUS_COLOUR[job.status] },
    { text: String(job.priority) },
    { text: `${job.attempts}/${job.maxAttempts}` },
    { text: shortTime(job.createdAt) },
    { text: oneLine(job.error ?? '', 60) },
  ]);
  return renderTable(header, rows, (column) => column === 4 || column === 5, style);
}

/** `flexq jobs --json`: the jobs as an array, dates as ISO strings. */
export function jobsJson(jobs: readonly Job[]): string {
  return toJson(jobs);
}

/** `flexq show`: every field of one job, payload and result as indented JSON. */
export function formatJob(job: Job, style: OutputStyle): string {
  const fields: [string, Cell | undefined][] = [
    ['id', { text: job.id }],
    ['queue', { text: job.queue }],
    ['type', { text: job.type }],
    ['status', { text: job.status, colour: STATUS_COLOUR[job.status] }],
    ['attempts', { text: `${job.attempts}/${job.maxAttempts}` }],
    ['priority', { text: String(job.priority) }],
    ['delay', { text: `${job.delay} ms` }],
    ['timeout', optional(job.timeout, (ms) => `${ms} ms`)],
    ['created', { text: job.createdAt.toISOString() }],
    ['entered', { text: job.enteredAt.toISOString() }],
    ['runs at', optional(job.runAt, (date) => date.toISOString())],
    ['processed', optional(job.processedAt, (date) => date.toISOString())],
    ['failed', optional(job.failedAt, (date) => date.toISOString())],
    ['error', optional(job.error, (error) => error, 'red')],
    ['progress', optional(job.progress, indentedJson)],
    ['payload', { text: indentedJson(job.payload) }],
    ['result', optional(job.result, indentedJson)],
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

/** `flexq show --json`: the job object, dates as ISO strings. */
export function jobJson(job: Job): string {
  return toJson(job);
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

function indentedJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? String(value);
}

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** `2026-01-31 12:00:05`, in UTC like every other time flexq prints. */
function shortTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
