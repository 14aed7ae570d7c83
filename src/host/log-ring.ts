import type { LogLine, LogSource } from './host-view.js';

/** Lines the console can scroll back through; older ones are dropped. */
export const LOG_RING_CAPACITY = 2_000;

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** A line's reason: `error` (a failed attempt's, see outcome-buffer.ts), or pino's serialised `err`. */
function errorOf(raw: Record<string, unknown>): string | undefined {
  if (typeof raw.error === 'string') return raw.error;
  const message = (raw.err as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** Turns one pino JSON line into a `LogLine`; a line that is not JSON is kept as its text. */
export function parseLogLine(text: string): LogLine {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const raw = parsed as Record<string, unknown>;
      const { time, level, msg, jobId, queue } = raw;
      const error = errorOf(raw);
      return {
        time: typeof time === 'number' ? time : Date.now(),
        level: typeof level === 'number' ? (LEVEL_NAMES[level] ?? String(level)) : String(level ?? 'info'),
        msg: typeof msg === 'string' ? msg : '',
        ...(typeof jobId === 'string' ? { jobId } : {}),
        ...(typeof queue === 'string' ? { queue } : {}),
        ...(error === undefined ? {} : { error }),
        raw,
      };
    }
  } catch {
    // Not JSON: fall through and keep the raw text.
  }
  return { time: Date.now(), level: 'info', msg: text.trimEnd(), raw: {} };
}

/**
 * A pino destination (it has `write`) that keeps the newest lines in memory, so log output does
 * not tear through the console's screen yet stays readable inside it.
 */
export class LogRing implements LogSource {
  private readonly kept: LogLine[] = [];
  private readonly listeners = new Set<(line: LogLine) => void>();

  constructor(private readonly capacity = LOG_RING_CAPACITY) {}

  /** pino calls this with one JSON line (or several, newline-separated). */
  write(chunk: string): boolean {
    for (const text of chunk.split('\n')) {
      if (text.trim() === '') continue;
      const line = parseLogLine(text);
      this.kept.push(line);
      if (this.kept.length > this.capacity) this.kept.splice(0, this.kept.length - this.capacity);
      for (const listener of this.listeners) listener(line);
    }
    return true;
  }

  lines(): readonly LogLine[] {
    return this.kept;
  }

  subscribe(listener: (line: LogLine) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
