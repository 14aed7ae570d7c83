/**
 * Hostile input: payloads nested 10,000 deep, `__proto__` and `constructor` keys, and a bounded,
 * seeded fuzz over dispatch payloads, the CLI's command line and the config parser. Nothing may
 * crash, reject unhandled or pollute a prototype; every bad input gets a clear error of its kind.
 * Set FLEXQ_FUZZ_SEED to replay a failing run (the seed is in every failure message).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/config-errors.js';
import { parseConfig } from '../../src/config/config.js';
import { parseCommandLine } from '../../src/cli/cli.js';
import { JobDispatcher, ValidationError, type RedisQueue } from '../../src/index.js';
import { presentJob } from '../../src/shared/present.js';
import { terminalSafeJson } from '../../src/shared/sanitize.js';
import { freshQueue } from '../helpers.js';
import { redisEnv, runFlexq, tempFolder } from '../exe/helpers.js';

const SEED = Number(process.env['FLEXQ_FUZZ_SEED'] ?? Date.now() % 2 ** 31);
/**
 * Wall-clock budget of each fuzz target; the three stay well under a minute together. Mutation runs
 * (scripts/mutate.mjs) shorten it: every mutant that survives runs each target for its whole budget.
 */
const FUZZ_MS = Number(process.env['FLEXQ_FUZZ_MS'] ?? 8_000);

/** mulberry32: small, fast and the same on every machine for a seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const polluted = () => (Object.prototype as Record<string, unknown>)['polluted'] ?? (Object.prototype as Record<string, unknown>)['x'];

describe('hostile payloads', () => {
  let queue: RedisQueue;
  let cleanup: () => Promise<void>;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    ({ queue, cleanup } = await freshQueue('hostile'));
  });
  afterAll(async () => cleanup?.());
  beforeEach(() => {
    unhandled.length = 0;
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled, `unhandled rejections (seed ${SEED})`).toEqual([]);
    expect(polluted(), `Object.prototype polluted (seed ${SEED})`).toBeUndefined();
  });

  it('the CLI refuses a payload nested 10,000 deep with a clear message', () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const parsed = parseCommandLine(['dispatch', 't', deep]);
    expect(parsed).toMatchObject({ kind: 'usage-error', command: 'flexq dispatch' });
    expect(parsed.kind === 'usage-error' && parsed.message).toMatch(/more than 100 levels deep/);
    expect(parseCommandLine(['dispatch', 't', JSON.stringify(nested(98))]).kind).toBe('dispatch');
  });

  it('the library rejects a payload nested 10,000 deep, and the queue still works', async () => {
    await expect(new JobDispatcher(queue).dispatch('t', nested(10_000))).rejects.toThrow();
    expect((await queue.push({ type: 't', payload: { ok: 1 } })).id).toBeTruthy();
  });

  // Needs the engine change in the report (src/engine/codec.ts): today JSON.stringify's
  // RangeError ("Maximum call stack size exceeded") escapes toJson unwrapped.
  it('the library says why: a ValidationError about the nesting', async () => {
    await expect(new JobDispatcher(queue).dispatch('t', nested(10_000))).rejects.toThrow(/nests objects and arrays more than 100 levels deep/);
    await expect(new JobDispatcher(queue).dispatch('t', nested(10_000))).rejects.toBeInstanceOf(ValidationError);
  });

  it('__proto__ and constructor keys round-trip as plain keys, through the library and the CLI', async () => {
    const parsed = parseCommandLine(['dispatch', 't', '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}']);
    if (parsed.kind !== 'dispatch' || parsed.payload.from !== 'argument') throw new Error(`not parsed: ${JSON.stringify(parsed)}`);
    const { payload } = parsed.payload;
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    const job = await new JobDispatcher(queue).dispatch('t', payload);
    const stored = (await queue.getJob(job.id))!;
    expect(Object.keys(stored.payload)).toEqual(['__proto__', 'constructor']);
    expect((stored.payload as { polluted?: unknown }).polluted).toBeUndefined();
    const shown = presentJob(stored, ['x.*']);
    expect(Object.getPrototypeOf(shown.payload)).toBe(Object.prototype);
    expect(Object.keys(shown.payload)).toEqual(['__proto__', 'constructor']);

    const folder = await tempFolder();
    try {
      const env = redisEnv(queue.prefix);
      const dispatched = await runFlexq(['dispatch', 't', '{"__proto__":{"polluted":1}}'], { env, cwd: folder.dir });
      expect(dispatched.code, dispatched.stderr).toBe(0);
      const shownJson = await runFlexq(['show', dispatched.stdout.trim(), '--json'], { env, cwd: folder.dir });
      expect(JSON.parse(shownJson.stdout).payload).toEqual(JSON.parse('{"__proto__":{"polluted":1}}'));
    } finally {
      await folder.remove();
    }
  }, 30_000);

  it('the config parser refuses __proto__ keys by name and line, and keeps constructor keys plain', () => {
    for (const source of [
      '[handlers.x]\nbuiltin = "sleep"\noptions = { __proto__ = { polluted = 1 } }\n',
      '[queues.__proto__]\nconcurrency = 1\n',
      '__proto__ = { x = 1 }\n',
    ]) {
      expect(() => parseConfig(source, { file: null }), source).toThrow(ConfigError);
      expect(() => parseConfig(source, { file: null })).toThrow(/__proto__.*not allowed/);
    }
    const config = parseConfig('[handlers.x]\nbuiltin = "sleep"\noptions = { constructor = { prototype = { polluted = 1 } } }\n', { file: null });
    const handler = config.handlers['x']!;
    expect(handler.kind === 'builtin' && Object.getPrototypeOf(handler.options)).toBe(Object.prototype);
  });
});

// ---- fuzz ----------------------------------------------------------------------------------

const STRINGS = ['', 'a', '__proto__', 'constructor', 'prototype', 'password', '\u0000', '\u001b[2J', '\u202e', '\ud800', '日本', 'x'.repeat(300), '{"a":', '"', '\\', '=', '[', ']', '#'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A random value a producer might hand to dispatch, JSON-safe or not. */
function randomValue(random: () => number, depth: number): unknown {
  const roll = random();
  if (depth > 6 || roll < 0.35) {
    return pick(random, [
      () => pick(random, STRINGS), () => random() * 1e6, () => Math.floor(random() * 100), () => null, () => true,
      () => undefined, () => Number.NaN, () => Number.POSITIVE_INFINITY, () => 10n, () => Symbol('s'), () => () => 1,
      () => new Date(random() * 1e12), () => new Map([[1, 2]]), () => new Set([1]),
    ])();
  }
  if (roll < 0.45) return nested(Math.floor(random() * 200));
  if (roll < 0.65) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 4); i > 0; i--) Object.defineProperty(object, pick(random, STRINGS), { value: randomValue(random, depth + 1), enumerable: true, configurable: true, writable: true });
  if (random() < 0.05) object['self'] = object; // a cycle
  return object;
}

const ARG_TOKENS = [
  'dispatch', 'stats', 'jobs', 'show', 'cancel', 'retry', 'priority', 'pause', 'resume', 'demo', 'doctor', 'init', 'help',
  '--json', '--queue', '--priority', '--delay', '--max-attempts', '--limit', '--count', '--interval', '--config', '--read-only',
  '--headless', '--force', '-h', '--help', '-V', '--', '-', 'failed', 'delayed', '1', '-1', '1e309', '99999999999999999999',
  '30s', '0ms', '366d', '{}', '[]', '{"__proto__":{"x":1}}', '{"a":1', 'null', '"x"', 'x y', '\u001b[2J', '', 'é', '\ud800',
];

const TOML_PARTS = [
  '[redis]', '[queues.default]', '[queues.__proto__]', '[handlers.x]', '[handlers.x.options]', '[smtp]', '[webhook]', '[logging]',
  '[metrics]', '[[queues]]', '[', 'url = "redis://:pw@h:1"', 'url = "redis://h:notaport"', 'addr = "h:6379"', 'concurrency = 0',
  'concurrency = 1e9', 'pollTime = "1s"', 'pollTime = "forever"', 'builtin = "sleep"', 'builtin = "nope"', 'module = "./x.js"',
  'options = { __proto__ = { x = 1 } }', 'options = { constructor = 1 }', 'allowAddresses = ["10.0.0.0/8"]',
  'allowAddresses = ["999.0.0.0/8"]', 'redact = ["a..b"]', 'redact = ["cvv"]', 'level = "trace"', 'x = ', '= 1', '"', "'",
  'a = [[[[[[[[', 'a = 1\na = 2', 'shutdownTimeout = -1', 'port = 70000', 'k = \u0000', 'k = "\u001b"', '# comment',
];

describe(`fuzz (seed ${SEED}; FLEXQ_FUZZ_SEED replays it)`, () => {
  let queue: RedisQueue;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ queue, cleanup } = await freshQueue('fuzz'));
  });
  afterAll(async () => cleanup?.());

  it('dispatch payloads: stored and shown, or a ValidationError', async () => {
    const random = prng(SEED);
    const dispatcher = new JobDispatcher(queue);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const deadline = Date.now() + FUZZ_MS;
    let runs = 0;
    try {
      while (Date.now() < deadline) {
        runs++;
        const payload = randomValue(random, 0);
        try {
          const job = await dispatcher.dispatch('fuzz', payload as Record<string, unknown>);
          const stored = (await queue.getJob(job.id))!;
          expect(terminalSafeJson(presentJob(stored, ['cvv', 'a.*.b'])), `seed ${SEED}, run ${runs}`).toBeTypeOf('string');
        } catch (error) {
          expect(error, `seed ${SEED}, run ${runs}: ${String(error)}`).toBeInstanceOf(ValidationError);
        }
      }
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled, `seed ${SEED}`).toEqual([]);
    expect(polluted(), `seed ${SEED}`).toBeUndefined();
    expect(runs).toBeGreaterThan(50);
  }, FUZZ_MS + 20_000);

  it('command lines: a parsed command or a usage error, never a throw', () => {
    const random = prng(SEED + 1);
    const deadline = Date.now() + FUZZ_MS;
    let runs = 0;
    while (Date.now() < deadline) {
      runs++;
      const argv = Array.from({ length: Math.floor(random() * 6) }, () => pick(random, ARG_TOKENS));
      let parsed: ReturnType<typeof parseCommandLine>;
      try {
        parsed = parseCommandLine(argv);
      } catch (error) {
        throw new Error(`seed ${SEED}, run ${runs}: parseCommandLine(${JSON.stringify(argv)}) threw ${String(error)}`);
      }
      if (parsed.kind === 'usage-error') expect(parsed.message.length, `seed ${SEED}: ${JSON.stringify(argv)}`).toBeGreaterThan(0);
    }
    expect(polluted(), `seed ${SEED}`).toBeUndefined();
    expect(runs).toBeGreaterThan(100);
  }, FUZZ_MS + 5_000);

  it('config text: a config or a ConfigError, never another error', () => {
    const random = prng(SEED + 2);
    const deadline = Date.now() + FUZZ_MS;
    let runs = 0;
    while (Date.now() < deadline) {
      runs++;
      const source = Array.from({ length: Math.floor(random() * 8) }, () => pick(random, TOML_PARTS)).join(random() < 0.9 ? '\n' : ' ');
      const env = random() < 0.2 ? { FLEXQ_REDIS_URL: pick(random, ['redis://:pw@h:x', 'nope', 'redis://h:1']) } : {};
      try {
        parseConfig(source, { file: null, env });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw new Error(`seed ${SEED}, run ${runs}: ${JSON.stringify(source)} threw ${String(error)}`);
        expect(error.message).not.toContain(':pw@');
      }
    }
    expect(polluted(), `seed ${SEED}`).toBeUndefined();
    expect(runs).toBeGreaterThan(100);
  }, FUZZ_MS + 5_000);
});
