/** Next-run computation and checks of schedules: cron with seconds and time zones, DST, intervals. */
import { describe, expect, it } from 'vitest';
import { nextRunAfter, parseDefinition, scheduleDefinition, scheduledJob } from '../../src/engine/schedule-spec.js';

const at = (iso: string) => new Date(iso).getTime();
const iso = (ms: number) => new Date(ms).toISOString();
const define = (timing: unknown, job: unknown = { type: 'report' }) => scheduleDefinition('schedule', 'nightly', timing, job, 'code', 1024);

describe('schedule next runs', () => {
  it('cron with 5 fields runs on the minute, with 6 fields on the second', () => {
    expect(iso(nextRunAfter({ cron: '*/15 * * * *' }, at('2026-01-01T10:07:30Z')))).toBe('2026-01-01T10:15:00.000Z');
    expect(iso(nextRunAfter({ cron: '*/5 * * * * *' }, at('2026-01-01T10:07:03Z')))).toBe('2026-01-01T10:07:05.000Z');
    expect(iso(nextRunAfter({ cron: '*/5 * * * * *' }, at('2026-01-01T10:07:05Z')))).toBe('2026-01-01T10:07:10.000Z');
  });

  it('reads the time in the schedule time zone (UTC without one)', () => {
    const after = at('2026-06-01T00:00:00Z');
    expect(iso(nextRunAfter({ cron: '0 3 * * *' }, after))).toBe('2026-06-01T03:00:00.000Z');
    expect(iso(nextRunAfter({ cron: '0 3 * * *', tz: 'Europe/Berlin' }, after))).toBe('2026-06-01T01:00:00.000Z');
    expect(iso(nextRunAfter({ cron: '0 3 * * *', tz: 'America/New_York' }, after))).toBe('2026-06-01T07:00:00.000Z');
  });

  it('spring forward: a daily time inside the skipped hour runs once, right after the gap', () => {
    // Europe/Berlin, 29 March 2026: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist.
    const daily = { cron: '30 2 * * *', tz: 'Europe/Berlin' };
    const first = nextRunAfter(daily, at('2026-03-28T12:00:00Z'));
    expect(iso(first)).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST
    expect(iso(nextRunAfter(daily, first))).toBe('2026-03-30T00:30:00.000Z'); // 02:30 CEST the next day
  });

  it('fall back: a daily time in the repeated hour runs once; an interval runs in both hours', () => {
    // Europe/Berlin, 25 October 2026: 03:00 CEST goes back to 02:00 CET, so 02:30 happens twice.
    const daily = { cron: '30 2 * * *', tz: 'Europe/Berlin' };
    const first = nextRunAfter(daily, at('2026-10-24T12:00:00Z'));
    expect(iso(first)).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    expect(iso(nextRunAfter(daily, first))).toBe('2026-10-26T01:30:00.000Z'); // not 02:30 CET that night
    const halfHourly = { cron: '0,30 * * * *', tz: 'Europe/Berlin' };
    const runs = [at('2026-10-24T23:50:00Z')];
    for (let i = 0; i < 4; i++) runs.push(nextRunAfter(halfHourly, runs.at(-1)!));
    expect(runs.slice(1).map(iso)).toEqual([
      '2026-10-25T00:00:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T01:30:00.000Z',
    ]);
  });

  it('every keeps its phase and skips missed ticks: one next run after now, not one per missed tick', () => {
    expect(nextRunAfter({ every: 60_000 }, 1_000_000)).toBe(1_060_000);
    expect(nextRunAfter({ every: 60_000 }, 1_000_500, 1_000_000)).toBe(1_060_000);
    // Ten minutes late: the next run is the first tick of the phase after now.
    expect(nextRunAfter({ every: 60_000 }, 1_600_500, 1_000_000)).toBe(1_660_000);
  });
});

describe('schedule checks', () => {
  it('stores a definition with its job defaults, the same JSON for the same schedule', () => {
    expect(define({ cron: '0 3 * * *', tz: 'Europe/Berlin' }, { type: 'report', payload: { a: 1 }, priority: 5 })).toEqual({
      name: 'nightly', cron: '0 3 * * *', tz: 'Europe/Berlin', job: { type: 'report', payload: { a: 1 }, priority: 5 }, source: 'code',
    });
  });

  it.each([
    [{ cron: 'not a cron' }, /invalid cron "not a cron"/],
    [{ cron: '0 3 * * *', tz: 'Mars/Olympus' }, /^schedule: unknown time zone "Mars\/Olympus"; expected an IANA name/],
    [{ cron: '0 3 * * *', every: 1000 }, /exactly one of cron and every/],
    [{}, /exactly one of cron and every/],
    [{ every: 10 }, /every must be from 1000 ms/],
    [{ every: 60_000, tz: 'UTC' }, /tz applies to cron only/],
    [{ cron: '0 0 0 1 1 * 2030' }, /^schedule: invalid cron "0 0 0 1 1 \* 2030": expected 5 fields \(minute hour day month weekday\), or 6 with seconds first; got 7$/],
    [{ cron: '* * *' }, /^schedule: invalid cron "\* \* \*": expected 5 fields .*; got 3$/],
    [{ every: 'soon' }, /^schedule: every must be a number of m/],
    ['hourly', /timing must be \{ cron, tz\? \} or \{ every \}/],
  ])('refuses timing %j, naming the problem', (timing, message) => {
    expect(() => define(timing)).toThrow(message);
  });

  it('names a time zone in a cron refusal only when one was given', () => {
    expect(() => define({ cron: 'not a cron' })).toThrow(/^schedule: invalid cron "not a cron": (?!.*time zone)/);
  });

  it("keeps the job's maxAttempts and timeout when given, and leaves them to the queue's defaults otherwise", () => {
    expect(define({ every: 60_000 }, { type: 'report', maxAttempts: 5, timeout: 30_000 }).job).toEqual({ type: 'report', payload: {}, priority: 0, maxAttempts: 5, timeout: 30_000 });
    expect(define({ every: 60_000 }).job).toEqual({ type: 'report', payload: {}, priority: 0 });
  });

  it('reads back a stored definition, and nothing that lacks a name or a job type', () => {
    const definition = define({ every: 60_000 });
    expect(parseDefinition(JSON.stringify(definition))).toEqual(definition);
    for (const json of ['{"job":{"type":"t"}}', '{"name":"n","job":{}}', '{"name":"n"}', 'null', 'not json']) expect(parseDefinition(json), json).toBeNull();
  });

  it('fires a stored definition whose job has a key this flexq does not know (a newer one wrote it)', () => {
    const stored = JSON.parse(JSON.stringify(define({ every: 60_000 }, { type: 'report', payload: { n: 1 }, priority: 2 }))) as { job: Record<string, unknown> };
    stored.job['addedLater'] = true;
    const definition = parseDefinition(JSON.stringify(stored))!;
    expect(scheduledJob('id1', definition, 3, 1024)).toMatchObject({ id: 'id1', type: 'report', payloadJson: '{"n":1}', priority: 2 });
  });

  it('an interval anchored on a tick after the time asked runs one interval after that tick', () => {
    expect(nextRunAfter({ every: 100 }, 990, 1_000)).toBe(1_100);
    expect(nextRunAfter({ every: 100 }, 1_000, 1_000)).toBe(1_100);
  });

  it('a cron that never matches again (30 February) is parked a year ahead', () => {
    const now = at('2026-12-01T00:00:00Z');
    expect(nextRunAfter({ cron: '0 0 30 2 *' }, now)).toBe(now + 365 * 24 * 3_600_000);
  });

  it('refuses a bad name and a bad job as a push would', () => {
    expect(() => scheduleDefinition('schedule', 'no spaces', { every: 1000 }, { type: 'x' }, 'code', 1024)).toThrow(/schedule name must be/);
    expect(() => scheduleDefinition('schedule', 42, { every: 1000 }, { type: 'x' }, 'code', 1024)).toThrow(/schedule name must be .*, got 42/);
    expect(() => define({ every: 1000 }, { type: '' })).toThrow(/job type must be a non-empty string/);
    expect(() => define({ every: 1000 }, { type: 'x', payload: { big: 'x'.repeat(2000) } })).toThrow(/over the limit/);
  });
});
