/**
 * TEMPORARY STAND-IN for the console (branch `console` builds the real one in src/tui/index.tsx).
 * It only says the console is missing and waits for Ctrl-C, so `flexq` without --headless runs
 * the worker host. DELETE THIS FILE when the console branch is merged.
 */
import type { HostView } from '../host/host-view.js';

/** How the console is opened (the real module's options, as far as the host passes them). */
export interface ConsoleOptions {
  readOnly: boolean;
  redact?: readonly string[];
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
}

/** Prints one line and resolves on SIGINT (the real console resolves when the user quits). */
export function openConsole(view: HostView, options: ConsoleOptions): Promise<void> {
  const out = options.stdout ?? process.stdout;
  const queues = view.queues.map((queue) => queue.name).join(', ');
  out.write(
    `flexq: the console is not built yet; running workers for ${queues} on Redis ${view.redisAddress}` +
      `${view.embeddedRedis ? ' (embedded)' : ''}. Press Ctrl-C to stop.\n`,
  );
  return new Promise((resolve) => process.once('SIGINT', () => resolve()));
}
