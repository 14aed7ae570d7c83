/** How the CLI and the console write a rate limit: `100/1s`, `5/1500ms`, `1000/1d`. */
import type { RateLimit } from '../engine/types.js';

/** Units from the largest; a window is written in the largest one that divides it exactly. */
const UNITS: readonly [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1_000]];

/** A window in ms as flexq.toml would take it back: `1s`, `90s`, `1500ms`. */
export function exactDuration(ms: number): string {
  const unit = UNITS.find(([, size]) => ms % size === 0);
  return unit ? `${ms / unit[1]}${unit[0]}` : `${ms}ms`;
}

/** `max/per`, e.g. `100/1s`. */
export function rateLimitText({ max, per }: RateLimit): string {
  return `${max}/${exactDuration(per)}`;
}
