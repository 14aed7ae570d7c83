/** Which log lines the log view shows, and where its window over them sits. */
import type { LogLine } from './host-view.js';

/** Log levels from least to most severe, for the log filter. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
/** A minimum log level, or every line. */
export type LogLevelFilter = (typeof LOG_LEVELS)[number] | 'all';
/** What the log view lets through: a minimum level and one job's lines (empty: every job). */
export interface LogFilter {
  level: LogLevelFilter;
  jobId: string;
}

/** Whether `line` passes the filter. */
export function logLineShown(line: LogLine, filter: LogFilter): boolean {
  if (filter.jobId !== '' && line.jobId !== filter.jobId) return false;
  if (filter.level === 'all') return true;
  const rank = (level: string) => LOG_LEVELS.indexOf(level as (typeof LOG_LEVELS)[number]);
  return rank(line.level) >= rank(filter.level);
}

/**
 * The window of `height` lines over `shown`, `scroll` lines up from the tail (0 follows the tail).
 * Counting from the tail keeps "follow" a plain 0 as lines arrive; the store adds arriving lines to a
 * non-zero scroll so that a window scrolled up stays on the lines it shows.
 */
export function logWindow<T>(shown: readonly T[], height: number, scroll: number): { lines: readonly T[]; scroll: number } {
  const clamped = Math.max(0, Math.min(scroll, shown.length - height));
  const end = shown.length - clamped;
  return { lines: shown.slice(Math.max(0, end - height), end), scroll: clamped };
}
