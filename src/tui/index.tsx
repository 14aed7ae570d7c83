/** The ops console: `openConsole(view, options)` draws it until the user quits. */
import { render, useApp } from 'ink';
import { useEffect, useMemo, type ReactNode } from 'react';
import { App } from './components/App.js';
import { ConsoleProvider, type ConsoleContextValue } from './context.js';
import { ConsoleDataSource, type DataSourceOptions } from './data-source.js';
import type { HostView } from './host-view.js';
import type { ConsoleCommands, KeyContext } from './keymap.js';
import { createConsoleStore, type ConsoleStore } from './store.js';

export type { HostView, LogLine, PoolSlot, ConnectionState, LogSource } from './host-view.js';
export { createConsoleStore, type ConsoleStore } from './store.js';
export { ConsoleDataSource, type DataSourceOptions } from './data-source.js';
export { KEYMAP, type KeyBinding } from './keymap.js';
export { sanitize } from './sanitize.js';

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
  /** Ends the process at once: Ctrl-C pressed again while a quit waits. By default the console just closes. */
  forceQuit?: () => void;
}

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
  /** Ends the process at once (a second Ctrl-C while quitting); without it the console closes at once. */
  forceQuit?: () => void;
  children?: ReactNode;
}

/**
 * The console's root: provides the context (store, key context with a graceful quit through Ink's
 * `exit()`) and draws the app. Exported for tests, which render it with ink-testing-library.
 */
export function ConsoleRoot({ store, commands, view, redact, noColor, stop, forceQuit }: RootProps) {
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
      forceQuit: () => (forceQuit ? forceQuit() : exit()),
    };
    return { store, keys, redact, noColor };
  }, [store, commands, view, redact, noColor, exit, forceQuit]);
  const { quit } = value.keys;
  useEffect(() => {
    if (!stop) return;
    if (stop.aborted) return quit();
    stop.addEventListener('abort', quit, { once: true });
    return () => stop.removeEventListener('abort', quit);
  }, [stop, quit]);
  return (
    <ConsoleProvider value={value}>
      <App />
    </ConsoleProvider>
  );
}

/** Opens the console on the terminal; resolves once the user has quit and the host has stopped. */
export async function openConsole(view: HostView, options: ConsoleOptions): Promise<void> {
  const store = createConsoleStore({ address: view.redisAddress, queues: view.queues.map((q) => q.name), readOnly: options.readOnly });
  const source = new ConsoleDataSource(view, store, options.dataSource);
  const started = source.start();
  const instance = render(
    <ConsoleRoot
      store={store} commands={source} view={view} redact={options.redact ?? []} noColor={options.noColor ?? noColorRequested()}
      {...(options.stop ? { stop: options.stop } : {})} {...(options.forceQuit ? { forceQuit: options.forceQuit } : {})}
    />,
    {
      ...(options.stdin ? { stdin: options.stdin } : {}),
      ...(options.stdout ? { stdout: options.stdout } : {}),
      exitOnCtrlC: false,
      debug: options.debug ?? false,
      patchConsole: options.patchConsole ?? true,
    },
  );
  try {
    await started.catch(() => {}); // Redis trouble shows as the banner; the console runs on
    await instance.waitUntilExit();
  } finally {
    await source.stop();
    instance.cleanup();
  }
}
