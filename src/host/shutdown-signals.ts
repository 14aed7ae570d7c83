/**
 * The signals that stop flexq: Ctrl-C in a terminal, what service managers send, and the hangup
 * of a closed terminal or ssh session. Node's default for SIGHUP is to exit at once, which leaves
 * the workers' heartbeats behind and their jobs to wait out their leases.
 */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** A watch on SIGINT/SIGTERM/SIGHUP: the first asks for a graceful stop, the second forces the exit. */
export interface ShutdownSignals {
  /** Resolves with the first signal's name. */
  first: Promise<NodeJS.Signals>;
  /** Removes the listeners. */
  dispose(): void;
}

/**
 * Listens for SIGINT/SIGTERM/SIGHUP. The first resolves `first`; a second one calls `force`, which
 * must end the process (the user has asked twice; in-flight jobs are then recovered by lease).
 */
export function watchShutdownSignals(force: (signal: NodeJS.Signals) => void): ShutdownSignals {
  let seen = 0;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => undefined;
  const first = new Promise<NodeJS.Signals>((resolve) => (resolveFirst = resolve));
  const onSignal = (signal: NodeJS.Signals): void => {
    seen++;
    if (seen === 1) resolveFirst(signal);
    else force(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  return {
    first,
    dispose: () => {
      for (const signal of STOP_SIGNALS) process.removeListener(signal, onSignal);
    },
  };
}
