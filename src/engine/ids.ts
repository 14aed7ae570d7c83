import { randomFillSync } from 'node:crypto';

// Crockford's base32 alphabet, lower case: no i, l, o, u, so ids read back unambiguously.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
// 60 random bits in 12 characters: a 12-character id is the longest Redis stores in 16 bytes (a
// 16-character one takes 32), in the jobs hash and again in the lists and sets that name it.
// A collision is rare and addJobs rejects it (the queue draws again).
const ID_LENGTH = 12;
const pool = new Uint8Array(ID_LENGTH * 256);
let poolOffset = pool.length;

/** A new random job id of 12 base32 characters. */
export function newJobId(): string {
  if (poolOffset + ID_LENGTH > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let id = '';
  for (let i = 0; i < ID_LENGTH; i++) id += ALPHABET[pool[poolOffset + i]! & 31];
  poolOffset += ID_LENGTH;
  return id;
}

/** Every pair of id characters, by the 10 bits it spells. */
const PAIRS = Array.from({ length: 1024 }, (_, bits) => ALPHABET[bits >>> 5]! + ALPHABET[bits & 31]!);

/** 30 bits as six id characters. */
function spell30(bits: number): string {
  return PAIRS[(bits >>> 20) & 1023]! + PAIRS[(bits >>> 10) & 1023]! + PAIRS[bits & 1023]!;
}

/**
 * `count` new job ids in ascending order. Jobs stored by one call share their creation time, and
 * where they wait in a ZSET (delayed, retrying) Redis orders equal scores by member: ascending ids
 * keep such jobs in the order they were given (see sortForRun in lua/includes/ready-lists.lua). The first
 * 10 characters spell 50 random bits sorted as numbers (a typed-array sort, far cheaper than
 * sorting strings), the last 2 are 10 more random bits.
 */
export function newJobIds(count: number): string[] {
  if (count === 1) return [newJobId()];
  const words = new Uint32Array(3 * count);
  randomFillSync(words);
  const heads = new Float64Array(count);
  for (let i = 0; i < count; i++) heads[i] = (words[i]! >>> 12) * 2 ** 30 + (words[count + i]! >>> 2);
  heads.sort();
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const head = heads[i]!;
    const high = Math.floor(head / 2 ** 30);
    ids[i] = PAIRS[high >>> 10]! + PAIRS[high & 1023]! + spell30(head % 2 ** 30) + PAIRS[words[2 * count + i]! & 1023]!;
  }
  return ids;
}
