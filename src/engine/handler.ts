import type { Handler, HandlerFunction } from './types.js';

/** Wraps a plain function, sync or async, as a `Handler`. */
export function handlerFunc(fn: HandlerFunction): Handler {
  return { handle: fn };
}

/** Thrown by a handler to fail its job for good, whatever attempts remain. */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
}
