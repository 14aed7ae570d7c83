import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type DestinationStream, type Logger, type StreamEntry } from 'pino';
import type { LoggingSettings } from '../config/config-types.js';
import { LogRing } from './log-ring.js';
import { redactingStream } from './log-redaction.js';

/** The host's logger and where its lines go. */
export interface HostLogger {
  logger: Logger;
  /** The in-memory lines for the console; present in console mode only. */
  ring?: LogRing;
  /** Writes out buffered lines at once, for an exit that cannot wait: a write in flight may land after them. */
  flush(): void;
  /** Waits for every line to be written, in order, and closes the file; the last thing a host does. */
  close(): Promise<void>;
}

/**
 * A pino logger per `[logging]`. Headless: JSON lines to the file, or to stdout when none is set.
 * Console: the console owns the terminal, so lines go to an in-memory ring (and the file, if set).
 * Every destination gets lines masked by `redactLogLine`, with `redactPaths` (`redact` of flexq.toml).
 */
export function createHostLogger(settings: LoggingSettings, mode: 'headless' | 'console', redactPaths: readonly string[] = []): HostLogger {
  const file = settings.file === undefined ? undefined : openLogFile(settings.file);
  // stdout is written synchronously so the last lines before exit are never lost in a pipe.
  const streams: StreamEntry[] = [];
  let ring: LogRing | undefined;
  if (mode === 'console') {
    ring = new LogRing();
    streams.push({ stream: redactingStream(ring as DestinationStream, redactPaths), level: settings.level === 'silent' ? 'fatal' : settings.level });
  }
  const primary: DestinationStream = file ?? pino.destination({ dest: 1, sync: true });
  if (mode === 'headless' || file !== undefined) streams.push({ stream: redactingStream(primary, redactPaths), level: settings.level === 'silent' ? 'fatal' : settings.level });
  const logger = pino({ level: settings.level, base: { pid: process.pid } }, pino.multistream(streams));
  return {
    logger,
    ...(ring === undefined ? {} : { ring }),
    flush: () => {
      try {
        file?.flushSync();
      } catch {
        // Nothing was buffered, or the file is gone; either way there is nothing left to save.
      }
    },
    close: () => new Promise<void>((resolve) => {
      // A stream already closed (or failed) has nothing left to write and will not close again.
      // (`destroyed` is sonic-boom's own flag; its type declarations leave it out.)
      if (file === undefined || (file as { destroyed?: boolean }).destroyed) return resolve();
      // end() lets the write in flight finish before the rest, so the file ends in order.
      file.once('close', () => resolve());
      file.once('error', () => resolve());
      file.end();
    }),
  };
}

/**
 * Opens `[logging] file` for appending, now: pino would open it in the background and drop every
 * line unseen when that fails, so a service could run for days with no logs at all. Its folder is
 * created when missing. Throws naming the path when the file cannot be written.
 */
function openLogFile(path: string): ReturnType<typeof pino.destination> {
  let fd: number;
  try {
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, 'a');
  } catch (error) {
    throw new Error(`cannot write the log file ${path} ([logging] file): ${(error as Error).message}`, { cause: error });
  }
  const stream = pino.destination({ dest: fd, sync: false });
  // A write that fails later (disk full, file system gone) is said once on stderr rather than lost
  // or fatal: the jobs matter more than their log lines.
  let reported = false;
  stream.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    process.stderr.write(`flexq: cannot write the log file ${path}: ${error.message}\n`);
  });
  return stream;
}
