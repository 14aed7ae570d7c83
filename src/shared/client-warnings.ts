/**
 * ioredis writes a few warnings of its own straight to `console.warn` (`[WARN] This Redis server's
 * default user does not require a password…`). In the executable they go where flexq's own lines
 * go: the host's log (JSON for a service, the console's log pane) or stderr with flexq's prefix,
 * so a log shipper never meets a line it cannot parse and the console's screen is not written over.
 */
const CLIENT_WARNING = /^\[(WARN|ERROR)\] /;

/** Sends ioredis's warnings to `sink` until the function returned puts `console.warn` back. */
export function routeClientWarnings(sink: (message: string) => void): () => void {
  const original = console.warn;
  console.warn = (...args: unknown[]): void => {
    const [first] = args;
    if (args.length === 1 && typeof first === 'string' && CLIENT_WARNING.test(first)) {
      sink(first.replace(CLIENT_WARNING, ''));
      return;
    }
    original.apply(console, args);
  };
  return () => {
    console.warn = original;
  };
}
