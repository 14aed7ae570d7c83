/**
 * What users hand in (jobs, rate limits, unique keys, shard counts, schedules) is taken up to its
 * documented bound and refused one past it, with a message naming the bound; sharded queues split
 * and merge rate limits so the queue as a whole keeps its limit. No Redis: these are the checks
 * every push, setRateLimit and schedule runs before anything is stored.
 */
import { describe, expect, it } from 'vitest';
import { MAX_DURATION_MS, checkDuration, checkJobId, checkQueueName, encodeNewJob } from '../../src/engine/codec.js';
import { MAX_RATE_LIMIT, checkRateLimit, mergeRateLimits, rateLimitShares } from '../../src/engine/rate-limit.js';
import { checkScheduleName, scheduleDefinition } from '../../src/engine/schedule-spec.js';
import { MAX_SHARDS, ShardPicker, checkShards, shardOfId } from '../../src/engine/shards.js';
import { checkUnique } from '../../src/engine/unique-jobs.js';
import { refusal } from '../helpers.js';

const YEAR_MS = 365 * 24 * 3_600_000;


describe('jobs', () => {
  const encode = (job: Record<string, unknown>, delay: unknown = 0, maxPayloadBytes = 1024) =>
    encodeNewJob('push', 'id1', { type: 't', ...job }, delay, 3, maxPayloadBytes);

  it('takes type, maxAttempts, priority, timeout and delay up to their bounds, and refuses one past', () => {
    expect(encode({ type: 'x'.repeat(200) }).type).toHaveLength(200);
    expect(refusal(() => encode({ type: 'x'.repeat(201) }))).toMatch(/job type must be a non-empty string of at most 200 characters/);
    expect(refusal(() => encode({ type: '  ' }))).toMatch(/job type must be a non-empty string/);
    expect(encode({ maxAttempts: 1_000_000 }).maxAttempts).toBe(1_000_000);
    expect(refusal(() => encode({ maxAttempts: 1_000_001 }))).toBe('push: maxAttempts must be an integer from 1 to 1000000, got 1000001');
    expect(refusal(() => encode({ maxAttempts: 0 }))).toMatch(/maxAttempts must be an integer from 1/);
    expect(encode({}).maxAttempts).toBe(3);
    expect(encode({ priority: -1_000_000 }).priority).toBe(-1_000_000);
    expect(encode({ priority: 1_000_000 }).priority).toBe(1_000_000);
    expect(refusal(() => encode({ priority: 1_000_001 }))).toMatch(/priority must be an integer from -1000000 to 1000000, got 1000001/);
    expect(encode({ timeout: 2_147_483_647 }).timeout).toBe(2_147_483_647);
    expect(refusal(() => encode({ timeout: 2_147_483_648 }))).toMatch(/timeout must be an integer from 1 to 2147483647/);
    expect(encode({}, MAX_DURATION_MS).delay).toBe(MAX_DURATION_MS);
    expect(encode({}, 1.2).delay).toBe(2);
    expect(refusal(() => encode({}, MAX_DURATION_MS + 1))).toMatch(/delay must be a number of milliseconds from 0/);
    expect(refusal(() => encode({}, -1))).toMatch(/delay must be a number of milliseconds/);
    expect(refusal(() => encode({ payload: [1] }))).toMatch(/payload must be a plain object, got an array/);
    expect(refusal(() => encode({ payload: 'text' }))).toMatch(/payload must be a plain object, got "text"/);
  });

  it('takes a payload of exactly maxPayloadBytes of JSON, counted in bytes, and refuses one byte more', () => {
    const payload = (chars: number) => ({ s: 'x'.repeat(chars) }); // JSON {"s":"…"} is chars + 8 bytes
    expect(encode({ payload: payload(1016) }).payloadJson).toHaveLength(1024);
    expect(refusal(() => encode({ payload: payload(1017) }))).toBe('push: payload is 1025 bytes of JSON, over the limit of 1024 (maxPayloadBytes)');
    // 'é' is two bytes in one UTF-16 unit: 600 of them are 1,208 bytes in 608 units.
    expect(refusal(() => encode({ payload: { s: 'é'.repeat(600) } }))).toMatch(/payload is 1208 bytes/);
  });

  it('refuses what JSON would drop or mangle wherever it sits, naming where, and nesting past 100 levels', () => {
    expect(refusal(() => encodeNewJob('push', 'id1', null as never, 0, 3, 1024))).toBe('push: job must be an object');
    expect(refusal(() => encode({ payload: null }))).toBe('push: payload must be a plain object, got null');
    expect(refusal(() => encode({ payload: { list: [1, () => 1] } }))).toBe('push: payload property "1" is a function, which JSON cannot carry');
    expect(refusal(() => encode({ payload: { list: [[Number.NaN]] } }))).toBe('push: payload property "0" is NaN, which JSON cannot carry');
    expect(refusal(() => encode({ payload: { big: 5n } }))).toBe('push: payload property "big" is a bigint, which JSON cannot carry');
    expect(refusal(() => encode({ priority: 5n }))).toBe('push: priority must be an integer from -1000000 to 1000000, got 5n');
    expect(refusal(() => encode({ priority: '5' }))).toBe('push: priority must be an integer from -1000000 to 1000000, got "5"');
    expect(refusal(() => encode({ type: 7 }))).toBe('push: job type must be a non-empty string of at most 200 characters, got 7');
    // What toJSON gives is what JSON stores: a Date is text, a Map it returned would be {}.
    expect(encode({ payload: { at: new Date(0) } }).payloadJson).toBe('{"at":"1970-01-01T00:00:00.000Z"}');
    expect(refusal(() => encode({ payload: { odd: { toJSON: () => new Map() } } }))).toBe('push: payload property "odd" is a Map, which JSON turns into {}');
    const nested = (depth: number) => {
      let value: Record<string, unknown> = {};
      for (let i = 1; i < depth; i++) value = { a: value };
      return value;
    };
    expect(encode({ payload: nested(100) }, 0, 10_000).payloadJson).toHaveLength(99 * 6 + 2);
    expect(refusal(() => encode({ payload: nested(101) }, 0, 10_000))).toBe('push: payload nests objects and arrays more than 100 levels deep');
    expect(refusal(() => encode({ payload: { a: [nested(100)] } }, 0, 10_000))).toMatch(/nests objects and arrays more than 100 levels/);
  });

  it('takes job ids and queue names up to their bounds', () => {
    expect(checkJobId('getJob', 'i'.repeat(200))).toHaveLength(200);
    for (const bad of ['i'.repeat(201), '', 'a b', 'a,b', 7]) {
      expect(refusal(() => checkJobId('getJob', bad))).toMatch(/job id must be a non-empty string without spaces or commas/);
    }
    expect(checkQueueName('connect', 'q'.repeat(100))).toHaveLength(100);
    for (const bad of ['q'.repeat(101), '', 'a:b', '{a}']) {
      expect(refusal(() => checkQueueName('connect', bad))).toMatch(/queue name must be 1-100 letters/);
    }
    expect(checkDuration('x', 'retryDelays', 0)).toBe(0);
    expect(refusal(() => checkDuration('x', 'retryDelays', Number.NaN))).toBe(`x: retryDelays must be a number of milliseconds from 0 to ${MAX_DURATION_MS}, got NaN`);
  });
});

describe('unique jobs', () => {
  it('takes a key of up to 500 characters, held for 1 ms to a year, rounded up to whole ms', () => {
    expect(checkUnique('push', { uniqueKey: 'k'.repeat(500) })).toEqual({ uniqueKey: 'k'.repeat(500) });
    expect(checkUnique('push', { uniqueKey: 'k', uniqueFor: 1 })).toEqual({ uniqueKey: 'k', uniqueFor: 1 });
    expect(checkUnique('push', { uniqueKey: 'k', uniqueFor: 1.2 })).toEqual({ uniqueKey: 'k', uniqueFor: 2 });
    expect(checkUnique('push', { uniqueKey: 'k', uniqueFor: YEAR_MS })).toEqual({ uniqueKey: 'k', uniqueFor: YEAR_MS });
    expect(checkUnique('push', {})).toEqual({});
    expect(refusal(() => checkUnique('push', { uniqueKey: 'k', uniqueFor: YEAR_MS + 1 }))).toBe(
      `push: uniqueFor must be a number of milliseconds from 1 to ${YEAR_MS}, got ${YEAR_MS + 1}`,
    );
    expect(refusal(() => checkUnique('push', { uniqueKey: 'k', uniqueFor: Number.POSITIVE_INFINITY }))).toMatch(/got Infinity/);
    expect(refusal(() => checkUnique('push', { uniqueKey: 'k', uniqueFor: Number.NaN }))).toMatch(/uniqueFor must be a number of milliseconds from 1 to \d+, got NaN/);
    expect(refusal(() => checkUnique('push', { uniqueKey: null }))).toMatch(/uniqueKey must be a string of 1 to 500 characters, got a null/);
  });
});

describe('rate limits', () => {
  it('takes max up to 1,000,000 starts and per up to a year, and refuses one past', () => {
    expect(checkRateLimit('setRateLimit', { max: MAX_RATE_LIMIT, per: YEAR_MS })).toEqual({ max: MAX_RATE_LIMIT, per: YEAR_MS });
    expect(checkRateLimit('setRateLimit', { max: 1, per: 1 })).toEqual({ max: 1, per: 1 });
    expect(checkRateLimit('setRateLimit', null)).toBeNull();
    expect(refusal(() => checkRateLimit('setRateLimit', { max: MAX_RATE_LIMIT + 1, per: 1 }))).toMatch(/max must be an integer from 1 to 1000000, got 1000001/);
    expect(refusal(() => checkRateLimit('setRateLimit', { max: 1, per: YEAR_MS + 1 }))).toMatch(/per must be a whole number of milliseconds from 1 to/);
    expect(refusal(() => checkRateLimit('setRateLimit', { max: 1, per: 0 }))).toMatch(/per must be/);
    expect(refusal(() => checkRateLimit('setRateLimit', { max: 1, per: 1.5 }))).toMatch(/per must be/);
    expect(refusal(() => checkRateLimit('setRateLimit', { max: '5', per: 1 }))).toMatch(/max must be an integer/);
    for (const notALimit of [[5, 1], 5, 'max 5 per 1s']) {
      expect(refusal(() => checkRateLimit('setRateLimit', notALimit))).toBe('setRateLimit: the limit must be { max, per } or null');
    }
  });

  it('on a sharded queue, max is at least the shard count and split so the shares add up to it', () => {
    expect(checkRateLimit('setRateLimit', { max: 3, per: 1_000 }, 3)).toEqual({ max: 3, per: 1_000 });
    expect(refusal(() => checkRateLimit('setRateLimit', { max: 2, per: 1_000 }, 3))).toBe(
      "setRateLimit: max must be at least the queue's 3 shards (each shard takes a share of it), got 2",
    );
    expect(rateLimitShares(10, 3)).toEqual([4, 3, 3]);
    expect(rateLimitShares(11, 3)).toEqual([4, 4, 3]);
    expect(rateLimitShares(3, 3)).toEqual([1, 1, 1]);
    expect(rateLimitShares(7, 1)).toEqual([7]);
  });

  it("reports a sharded queue's limit as the sum of its shards', open when any shard is", () => {
    const shard = (max: number, started: number, opensIn: number) => ({ max, per: 1_000, started, opensIn });
    expect(mergeRateLimits([null, null])).toBeNull();
    expect(mergeRateLimits([shard(5, 2, 30)])).toEqual(shard(5, 2, 30));
    expect(mergeRateLimits([shard(4, 4, 300), shard(3, 3, 200), shard(3, 1, 0)])).toEqual(shard(10, 8, 0));
    expect(mergeRateLimits([shard(4, 4, 300), shard(3, 3, 200)])).toEqual(shard(7, 7, 200));
    // A shard the limit never reached lets jobs start at once.
    expect(mergeRateLimits([shard(4, 4, 300), null, shard(3, 3, 200)])).toEqual(shard(7, 7, 0));
    expect(mergeRateLimits([shard(4, 4, 300), null])).toEqual(shard(4, 4, 0));
  });
});

describe('shards', () => {
  it('takes 1 to 64 shards (1 when unset), and refuses others', () => {
    expect(checkShards('connect', undefined)).toBe(1);
    expect(checkShards('connect', 1)).toBe(1);
    expect(checkShards('connect', MAX_SHARDS)).toBe(64);
    for (const bad of [0, 65, 1.5, '2']) {
      expect(refusal(() => checkShards('connect', bad))).toBe(`connect: shards must be an integer from 1 to 64, got ${bad}`);
    }
  });

  it('an id naming a shard past the last, or with no shard number before its dash, goes to shard 0', () => {
    expect(shardOfId('3-abc', 3)).toBe(0);
    expect(shardOfId('63-abc', 64)).toBe(63);
    expect(shardOfId('-abc', 3)).toBe(0);
    expect(shardOfId('100-abc', 64)).toBe(0);
    expect(shardOfId('x-abc', 3)).toBe(0);
  });

  it('jobs with a unique key always go to one shard; jobs without one go to every shard in turn', () => {
    const picker = new ShardPicker(4);
    const keyed = picker.pick({ type: 't', uniqueKey: 'daily' });
    for (let i = 0; i < 5; i++) expect(new ShardPicker(4).pick({ type: 't', uniqueKey: 'daily' })).toBe(keyed);
    const turns = Array.from({ length: 8 }, () => picker.pick({ type: 't' }));
    expect(new Set(turns.slice(0, 4)).size).toBe(4);
    expect(turns.slice(4)).toEqual(turns.slice(0, 4));
    expect(new ShardPicker(1).pick({ type: 't', uniqueKey: 'daily' })).toBe(0);
  });
});

describe('schedules', () => {
  const timing = (value: unknown) => scheduleDefinition('schedule', 'nightly', value, { type: 't' }, 'code', 1024);

  it('takes names of 1 to 100 allowed characters', () => {
    expect(checkScheduleName('schedule', 'a'.repeat(100))).toHaveLength(100);
    expect(checkScheduleName('schedule', 'a_b.c:d-1')).toBe('a_b.c:d-1');
    expect(refusal(() => checkScheduleName('schedule', 'a'.repeat(101)))).toMatch(/schedule name must be 1 to 100 letters/);
  });

  it('takes every from 1 s to 365 days, and a cron and tz only as non-empty strings', () => {
    expect(timing({ every: 1_000 }).every).toBe(1_000);
    expect(timing({ every: YEAR_MS }).every).toBe(YEAR_MS);
    expect(refusal(() => timing({ every: YEAR_MS + 1 }))).toBe(`schedule: every must be from 1000 ms to 365 days, got ${YEAR_MS + 1}`);
    expect(refusal(() => timing({ every: 999 }))).toMatch(/every must be from 1000 ms/);
    expect(refusal(() => timing(null))).toBe('schedule: timing must be { cron, tz? } or { every }');
    expect(refusal(() => timing({ cron: '  ' }))).toBe('schedule: cron must be a non-empty string, got "  "');
    expect(refusal(() => timing({ cron: 5 }))).toMatch(/cron must be a non-empty string, got 5/);
    expect(refusal(() => timing({ cron: '* * * * *', tz: '' }))).toBe('schedule: tz must be an IANA time zone name, got ""');
    expect(refusal(() => timing({ cron: '* * * * *', tz: 1 }))).toMatch(/tz must be an IANA time zone name, got 1/);
    expect(refusal(() => timing({ cron: '* * * * *', tz: 'Mars/Base' }))).toBe('schedule: unknown time zone "Mars/Base"; expected an IANA name such as "Europe/Berlin" or "UTC"');
    expect(timing({ cron: '* * * * *' })).not.toHaveProperty('tz');
  });
});
