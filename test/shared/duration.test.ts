import { describe, expect, it } from 'vitest';
import { DurationError, parseDuration } from '../../src/shared/duration.js';

describe('parseDuration', () => {
  it.each([
    [250, 250],
    [0, 0],
    ['500', 500],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['7d', 7 * 86_400_000],
    ['1.5s', 1_500],
    ['2h30m', 9_000_000],
    ['1m30s250ms', 90_250],
    [' 10s ', 10_000],
  ])('reads %j as %i ms', (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each(['', 'abc', '5 m', '1M', '-1s', '1s5', 's', '1.5.2s', '10sec'])(
    'rejects %j and names it in the error',
    (input) => {
      expect(() => parseDuration(input)).toThrow(DurationError);
      expect(() => parseDuration(input)).toThrow(JSON.stringify(input));
    },
  );

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', (input) => {
    expect(() => parseDuration(input)).toThrow(/invalid duration/);
  });

  it('rejects other types, saying what a duration looks like', () => {
    expect(() => parseDuration(true)).toThrow(/invalid duration of type boolean: expected milliseconds/);
    expect(() => parseDuration(['1s'])).toThrow(/an array/);
  });
});
