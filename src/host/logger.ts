import { pino, type DestinationStream, type Logger, type StreamEntry } from 'pino';
import type { LoggingSettings } from './config-types.js';
import { LogRing } from './log-ring.js';

/** The host's logger and where its lines go. */
export interface HostLogger {
  logger: Logger;
  /** The in-memory lines for the console; present in console mode only. */
  ring?: LogRing;
  /** Writes out buffered lines; call before the process exits. */
  flush(): void;
}

/**
 * A pino logger per `[logging]`. Headless: JSON lines to the file, or to stdout when none is set.
 * Console: the console owns the terminal, so lines go to an in-memory ring (and the file, if set).
 */
export function createHostLogger(settings: LoggingSettings, mode: 'headless' | 'console'): HostLogger {
  const file = settings.file === undefined ? undefined : pino.destination({ dest: settings.file, mkdir: true, sync: false });
  // stdout is written synchronously so the last lines before exit are never lost in a pipe.
  const streams: StreamEntry[] = [];
  let ring: LogRing | undefined;
  if (mode === 'console') {
    ring = new LogRing();
    streams.push({ stream: ring as DestinationStream, level: settings.level === 'silent' ? 'fatal' : settings.level });
  }
  const primary: DestinationStream = file ?? pino.destination({ dest: 1, sync: true });
  if (mode === 'headless' || file !== undefined) streams.push({ stream: primary, level: settings.level === 'silent' ? 'fatal' : settings.level });
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
  };
}
