/** Pure text helpers for the console's columns: widths, ages, bars, sparklines, redacted JSON. */
import type { Job } from '../engine/types.js';
import { presentText, presentValue } from '../shared/present.js';
import { oneLine, sanitize } from '../shared/sanitize.js';
import { shortDuration } from '../shared/duration.js';

/** `text` cut or padded to exactly `width` columns (an ellipsis marks a cut). */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const clean = oneLine(text);
  const chars = [...clean];
  if (chars.length > width) return width === 1 ? '…' : chars.slice(0, width - 1).join('') + '…';
  return align === 'left' ? clean.padEnd(width) : clean.padStart(width);
}

/** How long ago `at` was, or `in …` for a future time. */
export function age(at: Date | number | undefined, now: number): string {
  if (at === undefined) return '-';
  const ms = now - (typeof at === 'number' ? at : at.getTime());
  return ms >= 0 ? shortDuration(ms) : `in ${shortDuration(-ms)}`;
}

/** A job's progress value as a 0..1 fraction, when it looks like one (0–1 or a percentage). */
export function progressFraction(progress: unknown): number | undefined {
  let value: unknown = progress;
  if (typeof value === 'object' && value !== null && 'percent' in value) value = (value as { percent: unknown }).percent;
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const fraction = value > 1 ? value / 100 : value;
  return Math.min(1, Math.max(0, fraction));
}

/** `[####----] 50%` in `width` columns. */
export function progressBar(fraction: number, width: number): string {
  const label = `${Math.round(fraction * 100)}%`.padStart(4);
  const inner = Math.max(1, width - label.length - 3);
  const filled = Math.round(fraction * inner);
  return `[${'#'.repeat(filled)}${'-'.repeat(inner - filled)}] ${label}`;
}

const SPARKS = '▁▂▃▄▅▆▇█';

/** A one-line chart of `values` (oldest first), scaled to their maximum. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values.map((v) => (max === 0 ? SPARKS[0] : SPARKS[Math.min(7, Math.round((v / max) * 7))])).join('');
}

/** A rate as `12.5/s`. */
export function rate(perSecond: number): string {
  if (perSecond >= 100) return `${Math.round(perSecond)}/s`;
  return `${perSecond.toFixed(1)}/s`;
}

/**
 * A value as indented JSON, as shown (`presentValue`: the default secret names and `redact` paths
 * masked at any depth, in any value, secrets inside strings too), sanitized for the terminal.
 */
export function prettyJson(value: unknown, redact: readonly string[] = []): string {
  if (value === undefined) return '-';
  const masked = presentValue(value, redact);
  let text: string;
  try {
    text = JSON.stringify(masked, null, 2) ?? String(masked);
  } catch {
    text = String(masked);
  }
  return sanitize(text);
}

/** The first line of an error message, secrets masked and cleaned, for a table cell. */
export function errorStart(error: string | undefined): string {
  if (!error) return '';
  return oneLine(presentText(error.split('\n')[0] ?? ''));
}

/** A value on one line (a completed job's result, a progress object), as shown: masked and cleaned. */
export function inlineJson(value: unknown): string {
  try {
    return oneLine(JSON.stringify(presentValue(value)) ?? String(value));
  } catch {
    return oneLine(String(value));
  }
}

/**
 * What a job's isolated handler is going through, for lists and the detail: `stopping` once its
 * signal aborted (it is killed unless it returns in time), `killed` once it was; '' otherwise.
 */
export function handlerStopText(job: Job): string {
  if (!job.handlerStop) return '';
  return job.handlerStop.state === 'stopping' ? `stopping… (attempt ${job.handlerStop.attempt})` : `killed (attempt ${job.handlerStop.attempt})`;
}
