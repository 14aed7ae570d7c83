/** The ops console: `openConsole(view, options)` draws it until the user quits. */
import { render, useApp } from 'ink';
import { useEffect, useMemo, type ReactNode } from 'react';
import { App } from './components/App.js';
import { ConsoleProvider, type ConsoleContextValue } from './context.js';
import { ConsoleDataSource, type DataSourceOptions } from './data-source.js';
import type { HostView } from './host-view.js';
import type { ConsoleCommands, KeyContext } from './keymap.js';
import { guardKeys } from './key-guard.js';
import { createConsoleStore, type ConsoleStore } from './store.js';
import { presentText } from '../shared/present.js';
import { sanitize } from '../shared/sanitize.js';

export type { HostView, LogLine, PoolSlot, ConnectionState, LogSource } from './host-view.js';
export { createConsoleStore, type ConsoleStore } from './store.js';
export { ConsoleDataSource, type DataSourceOptions } from './data-source.js';
export { KEYMAP, type KeyBinding } from './keymap.js';
export { sanitize } from '../shared/sanitize.js';

/** How the console is opened. */
export interface ConsoleOptions {
  /** Drops every key that changes anything (cancel, retry, priority, pause). */
  readOnly: boolean;
  /** Payload paths masked in the job detail: dot-separated keys, `*` for any one key. */
  redact?: readonly string[];
  stdin?: NodeJS.ReadStream;
  stdout?: NodeJS.WriteStream;
  /** Draw without colours; by default when `NO_COLOR` is set and not empty. */
  noColor?: boolean;
  /** Poll intervals and search bounds of the data source. */
  dataSource?: DataSourceOptions;
  /** Write every frame whole, without cursor moves (Ink's debug mode): for tests and screen captures. */
  debug?: boolean;
  /** Route stray console.log output above the console (default true). */
  patchConsole?: boolean;
  /** Quits gracefully when it aborts, as `q` does: the host's answer to SIGTERM, SIGHUP and SIGINT. */
  stop?: AbortSignal;
  /** Closes the console at once when it aborts (a second signal), as a second Ctrl-C does. */
  force?: AbortSignal;
}

/** How the console ended: a graceful quit, or one forced while it waited for running jobs. */
export type ConsoleEnd = 'quit' | 'forced';

/** Whether `NO_COLOR` asks for no colours (https://no-color.org). */
export function noColorRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NO_COLOR ?? '') !== '';
}

interface RootProps {
  store: ConsoleStore;
  commands: ConsoleCommands;
  view: Pick<HostView, 'inFlight' | 'stop'>;
  redact: readonly string[];
  noColor: boolean;
  /** Quits gracefully when it aborts. */
  stop?: AbortSignal;
  /** Closes at once when it aborts. */
  force?: AbortSignal;
  /** Told when the console closes at once (before Ink's exit), so the host can end without waiting. */
  onForceQuit?: () => void;
  children?: ReactNode;
}

/** Runs `run` once `signal` aborts (at once if it has). */
function useAbort(signal: AbortSignal | undefined, run: () => void): void {
  useEffect(() => {
    if (!signal) return;
    if (signal.aborted) return run();
    signal.addEventListener('abort', run, { once: true });
    return () => signal.removeEventListener('abort', run);
  }, [signal, run]);
}

/**
 * The console's root: provides the context (store, key context with a graceful quit through Ink's
 * `exit()`) and draws the app. Exported for tests, which render it with ink-testing-library.
 */
export function ConsoleRoot({ store, commands, view, redact, noColor, stop, force, onForceQuit }: RootProps) {
  const { exit } = useApp();
  const value = useMemo<ConsoleContextValue>(() => {
    const keys: KeyContext = {
      store,
      commands,
      quit: () => {
        const { quitting, setQuitting, toast } = store.getState();
        if (quitting) return;
        setQuitting(view.inFlight());
        view.stop().then(
          () => exit(),
          (err: unknown) => {
            toast('error', `stop failed: ${err instanceof Error ? err.message : String(err)}`);
            exit();
          },
        );
      },
      // Leaves through Ink too, so the terminal is restored before the host ends the process.
      forceQuit: () => {
        onForceQuit?.();
        exit();
      },
    };
    return { store, keys, redact, noColor };
  }, [store, commands, view, redact, noColor, exit, onForceQuit]);
  useAbort(stop, value.keys.quit);
  useAbort(force, value.keys.forceQuit);
  return (
    <ConsoleProvider value={value}>
      <App />
    </ConsoleProvider>
  );
}

/**
 * Keeps a hung-up terminal from ending the process: once the terminal is closed (which also sends
 * SIGHUP, and so starts a graceful stop) every write and read fails with EIO, and an unhandled stream
 * error would kill the host before its running jobs are handed back. The listener stays for the rest
 * of the process: Ink's last writes fail after the console has closed.
 */
function outliveTerminal(stream: NodeJS.EventEmitter): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EIO' && error.code !== 'EPIPE') throw error;
  });
}

/**
 * Wipes the screen when the terminal gets narrower: the terminal re-wraps full-width rows onto more
 * rows than Ink erases, which left the old header and tables above the new frame. Ink's own resize
 * handler has drawn the old tree at the new width by then; the console's re-render at the new size
 * comes after the wipe and draws from the top. Listens after Ink; returns its removal.
 */
function wipeOnNarrowing(stdout: NodeJS.WriteStream): () => void {
  let columns = stdout.columns;
  const onResize = () => {
    if (stdout.columns < columns) stdout.write('\u001B[2J\u001B[H');
    columns = stdout.columns;
  };
  stdout.on('resize', onResize);
  return () => stdout.off('resize', onResize);
}

/**
 * Opens the console on the terminal; resolves once the user has quit and the host has stopped, or at
 * once when the quit was forced (the host's stop may still be under way then).
 */
export async function openConsole(view: HostView, options: ConsoleOptions): Promise<ConsoleEnd> {
  let end: ConsoleEnd = 'quit';
  outliveTerminal(options.stdout ?? process.stdout);
  outliveTerminal(options.stdin ?? process.stdin);
  guardKeys(options.stdin ?? process.stdin);
  const store = createConsoleStore({ address: sanitize(presentText(view.redisAddress)), queues: view.queues.map((q) => q.name), readOnly: options.readOnly });
  const source = new ConsoleDataSource(view, store, { ...options.dataSource, ...(options.redact === undefined ? {} : { redact: options.redact }) });
  const started = source.start();
  const instance = render(
    <ConsoleRoot
      store={store} commands={source.commands} view={view} redact={options.redact ?? []} noColor={options.noColor ?? noColorRequested()}
      {...(options.stop ? { stop: options.stop } : {})} {...(options.force ? { force: options.force } : {})}
      onForceQuit={() => (end = 'forced')}
    />,
    {
      ...(options.stdin ? { stdin: options.stdin } : {}),
      ...(options.stdout ? { stdout: options.stdout } : {}),
      exitOnCtrlC: false,
      debug: options.debug ?? false,
      patchConsole: options.patchConsole ?? true,
    },
  );
  const stopWiping = wipeOnNarrowing(options.stdout ?? process.stdout);
  try {
    await started.catch(() => {}); // Redis trouble shows as the banner; the console runs on
    await instance.waitUntilExit();
  } finally {
    await source.stop();
    instance.cleanup();
    stopWiping();
  }
  return end;
}
