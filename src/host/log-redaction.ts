/**
 * The log side of the one output path: every line pino writes, at every level and from every
 * child logger (handlers' `ctx.logger` included), passes through `presentValue` before it reaches
 * stdout, the log file or the console's ring. Masking the finished line rather than the call's
 * arguments also covers what a formatter never sees: child bindings, serialised errors and their
 * stacks, and the message text.
 */
import type { DestinationStream } from 'pino';
import { presentText, presentValue } from '../shared/present.js';
import { terminalSafeJson } from '../shared/sanitize.js';

/**
 * One log line as it may be written: secret keys and secrets inside strings masked (with the
 * configured `redact` paths), control and invisible characters escaped so that a terminal showing
 * the logs cannot be driven by job text. A line that is not JSON is masked as text.
 */
export function redactLogLine(line: string, redactPaths: readonly string[]): string {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  let record: unknown;
  try {
    record = JSON.parse(body);
  } catch {
    return `${terminalSafeJson(presentText(body))?.slice(1, -1) ?? ''}\n`;
  }
  return `${terminalSafeJson(presentValue(record, redactPaths)) ?? 'null'}\n`;
}

/** A destination that writes each line to `target` only after `redactLogLine`. */
export function redactingStream(target: DestinationStream, redactPaths: readonly string[]): DestinationStream {
  return {
    write: (chunk: string) => {
      // pino writes one line per call; a chunk of several is split so that each is parsed alone.
      const lines = chunk.split('\n').filter((text) => text !== '');
      return target.write(lines.map((text) => redactLogLine(text, redactPaths)).join(''));
    },
  };
}
