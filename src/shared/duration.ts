/** Milliseconds per unit a duration string may use. */
const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

// One or more `<number><unit>` parts, e.g. "1.5s" or "2h30m". Units are lower case only, so "1M"
// (month? minute?) is an error rather than a guess.
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
const BARE_MS = /^\d+$/;

/** What a duration may look like, for error messages. */
export const DURATION_HINT =
  'milliseconds as a number, or a string such as "500ms", "30s", "5m", "1h", "1.5s" or "2h30m"';

/** Thrown for a value that is not a duration; the message names the value. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
}

/**
 * Parses a duration into whole milliseconds: a non-negative number is milliseconds, a string is
 * either plain digits (milliseconds, handy on the command line) or `<number><unit>` parts with units
 * ms, s, m, h, d. Fractions of a millisecond are rounded.
 */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return Math.round(value);
    throw new DurationError(`invalid duration ${String(value)}: expected ${DURATION_HINT}`);
  }
  if (typeof value !== 'string') {
    throw new DurationError(`invalid duration ${describe(value)}: expected ${DURATION_HINT}`);
  }
  const text = value.trim();
  if (BARE_MS.test(text)) return Number(text);
  const ms = parseUnitParts(text);
  if (ms === undefined) {
    throw new DurationError(`invalid duration ${JSON.stringify(value)}: expected ${DURATION_HINT}`);
  }
  return ms;
}

/** Sums `<number><unit>` parts covering the whole text; undefined when anything else is there. */
function parseUnitParts(text: string): number | undefined {
  if (text === '') return undefined;
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (match === null) return undefined;
    const [, amount, unit] = match;
    total += Number(amount) * (UNIT_MS[unit ?? ''] ?? Number.NaN);
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `of type ${typeof value}`;
}

/**
 * A duration as a short human figure, as the console and the CLI show it: `45s`, `12m05s`, `3h00m`,
 * `2d04h`. Rounded to the second, so a wait that ended a few ms past `3s` reads `3s`.
 */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const two = (n: number) => String(Math.floor(n)).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${two(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${two((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d${two((s % 86_400) / 3600)}h`;
}
