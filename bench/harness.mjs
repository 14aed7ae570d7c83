// What the benchmark scripts (run.mjs, scale.mjs) share: options, the loopback check, key prefixes,
// the admin connection, bounded waits and paced dispatching.
import { Redis } from 'ioredis';
import { performance } from 'node:perf_hooks';

const envName = (name) => `BENCH_${name.toUpperCase().replace(/-/g, '_')}`;

/** `--name value` on the command line, else env `BENCH_NAME` (dashes become underscores), else `fallback`. */
export function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  return process.env[envName(name)] ?? fallback;
}

export const intOption = (name, fallback) => {
  const v = Number(option(name, fallback));
  if (!Number.isInteger(v) || v < 1) throw new Error(`--${name} must be a positive integer`);
  return v;
};

/** A comma list of positive integers, e.g. `--n-list 10000,100000`. */
export function intListOption(name, fallback) {
  const list = String(option(name, fallback)).split(',').map(Number);
  if (!list.every((v) => Number.isInteger(v) && v >= 1)) {
    throw new Error(`--${name} must be a comma list of positive integers`);
  }
  return list;
}

/** A switch without a value: `--name` on the command line, or env `BENCH_NAME=1`. */
export function flag(name) {
  return process.argv.includes(`--${name}`) || process.env[envName(name)] === '1';
}

/** The parsed Redis URL; throws unless it is a loopback address (the benchmark writes a lot). */
export function loopbackUrl(redisUrl) {
  const url = new URL(redisUrl);
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname)) {
    throw new Error(`REDIS_URL must be a loopback address for this benchmark, got ${url.hostname}`);
  }
  return url;
}

/**
 * `fqb-<6 random chars>`: the start of every prefix of one benchmark run, which `deletePrefix` accepts
 * as `<base>-<f|b|y><number>`. Short on purpose: the prefix is part of every key, so a long one would
 * inflate bytes per job.
 */
export const randomBasePrefix = () => `fqb-${Math.random().toString(36).slice(2, 8).padEnd(6, '0')}`;

/** The benchmark's own connection for INFO/SCAN/UNLINK; its commands are never counted as a queue's. */
export function adminClient(redisUrl) {
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  admin.benchAdmin = true;
  return admin;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const gc = () => globalThis.gc?.();

/** Resolves once `check()` is true; throws after `timeoutMs`. */
export async function until(what, check, timeoutMs, everyMs = 5) {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * Calls `send(i)` for i = 0 … count-1 at `ratePerS` on a fixed schedule, without awaiting each call
 * (a slow reply must not delay the next send); resolves after the last call.
 */
export async function paced(count, ratePerS, send) {
  const interval = 1000 / ratePerS;
  const t0 = performance.now();
  for (let i = 0; i < count;) {
    const now = performance.now();
    while (i < count && t0 + i * interval <= now) {
      send(i);
      i++;
    }
    await sleep(1);
  }
}

/** Ends the process after `minutes` whatever it is doing, so a stuck benchmark never lingers. */
export function hardStop(minutes) {
  const timer = setTimeout(() => {
    console.error(`benchmark exceeded its ${minutes}-minute limit; stopping`);
    process.exit(2);
  }, minutes * 60_000);
  timer.unref();
}
