/**
 * The Lua headers are the documentation of each script's keys, and `SCRIPT_KEYS` is what callers
 * actually pass: the two must agree, or a key lands in the wrong KEYS slot silently.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { SCRIPT_KEYS, type ScriptName } from '../../src/engine/library.js';
import { rawClient } from '../helpers.js';

const LUA_DIR = new URL('../../src/engine/lua/', import.meta.url);
const names = Object.keys(SCRIPT_KEYS) as ScriptName[];

/** The `-- KEYS[i] name` lines of a script's header, in file order. */
function headerKeys(name: ScriptName): { index: number; key: string }[] {
  const text = readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8');
  return [...text.matchAll(/^-- KEYS\[(\d+)\]\s+(\w+)/gm)].map((m) => ({ index: Number(m[1]), key: m[2]! }));
}

// A command is named where redis.call runs it or where variadic() is told which one to run,
// possibly one of two (`atHead and 'LPUSH' or 'RPUSH'`).
const CALL = /(?:redis\.p?call|variadic)\(\s*(?:\w+ and )?['"]([A-Za-z]+)['"](?: or ['"]([A-Za-z]+)['"])?/g;
const commandsIn = (text: string) =>
  [...text.matchAll(CALL)].flatMap((m) => [m[1]!, m[2]].filter((c) => c !== undefined).map((c) => c.toLowerCase()));

/** The helpers of every file in includes/ by name, with their bodies. */
const libHelpers = new Map(
  readdirSync(new URL('includes/', LUA_DIR))
    .flatMap((file) => [...readFileSync(new URL(`includes/${file}`, LUA_DIR), 'utf8').matchAll(/^local function (\w+)\([^)]*\)\n([\s\S]*?)^end$/gm)])
    .map((m) => [m[1]!, m[2]!] as const),
);

/** Every command a script runs: its own calls plus those of the lib helpers it reaches. */
function commandsOf(name: ScriptName): Set<string> {
  const used = new Set<string>();
  const seen = new Set<string>();
  const visit = (text: string) => {
    for (const command of commandsIn(text)) used.add(command);
    for (const [helper, body] of libHelpers) {
      if (!seen.has(helper) && new RegExp(`\\b${helper}\\(`).test(text)) {
        seen.add(helper);
        visit(body);
      }
    }
  };
  visit(readFileSync(new URL(`${name}.lua`, LUA_DIR), 'utf8'));
  return used;
}

/** The commands among `commands` that Redis flags as writes (COMMAND INFO). */
async function writesAmong(redis: Redis, commands: Iterable<string>): Promise<string[]> {
  const writes: string[] = [];
  for (const command of commands) {
    const [info] = (await redis.call('COMMAND', 'INFO', command)) as [unknown[] | null];
    if (!info) throw new Error(`Redis does not know the command ${command}`);
    if ((info[2] as string[]).includes('write')) writes.push(command);
  }
  return writes.sort();
}

describe('Lua script headers', () => {
  it('every .lua file outside includes/ has a SCRIPT_KEYS entry, and every entry a file', () => {
    const files = readdirSync(LUA_DIR).filter((f) => f.endsWith('.lua')).map((f) => f.slice(0, -4)).sort();
    expect(files).toEqual([...names].sort());
  });

  it.each(names)('%s: header KEYS lines match SCRIPT_KEYS in order and count', (name) => {
    const header = headerKeys(name);
    expect(header.map((h) => h.index)).toEqual(header.map((_h, i) => i + 1));
    expect(header.map((h) => h.key)).toEqual([...SCRIPT_KEYS[name]]);
  });
});

describe('read-only scripts', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = rawClient();
  });
  afterAll(() => redis.disconnect());

  const readers = names.filter((name) => name.startsWith('get') || name.startsWith('list'));

  it('there are get/list scripts to check', () => {
    expect(readers.length).toBeGreaterThan(0);
  });

  // Only what the script runs counts: lib.lua helpers it never calls may write.
  it.each(readers)('%s calls no write command', async (name) => {
    const used = commandsOf(name);
    expect(used.size).toBeGreaterThan(0);
    expect(await writesAmong(redis, used)).toEqual([]);
  });

  it('the check does see writes, including those made inside included helpers', async () => {
    expect(await writesAmong(redis, commandsOf('claimJobs'))).toEqual(expect.arrayContaining(['hset', 'zadd', 'lpop', 'rpush', 'lpush', 'xadd']));
    expect(await writesAmong(redis, commandsOf('retryJob'))).toEqual(expect.arrayContaining(['hset', 'rpush', 'xadd']));
  });
});
