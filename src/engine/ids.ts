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
 * `count` new job ids in ascending order: consecutive 60-bit numbers from a random start, spelled
 * at a fixed width, so they sort as text the way they count. Jobs stored by one call share their
 * creation time, and where they wait in a ZSET (delayed, retrying) Redis orders equal scores by
 * member: ascending ids keep such jobs in the order they were given (see sortForRun in
 * lua/includes/ready-lists.lua). One random draw per call instead of per id, and no sort: a run
 * of consecutive ids collides with another job's id no more often than the same number of random
 * ones would (addJobs refuses a collision all the same).
 */
export function newJobIds(count: number): string[] {
  if (count === 1) return [newJobId()];
  const words = new Uint32Array(2);
  randomFillSync(words);
  // The high 30 bits stop short of their top, so the low half can carry into them.
  return consecutiveIds((words[0]! >>> 2) % (2 ** 30 - 1), words[1]! >>> 2, count);
}

/** `count` ids counting up from the 60-bit number `high` · 2^30 + `low`. */
export function consecutiveIds(high: number, low: number, count: number): string[] {
  let highText = spell30(high);
  const ids = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    ids[i] = highText + spell30(low);
    if (++low === 2 ** 30) {
      low = 0;
      highText = spell30(++high);
    }
  }
  return ids;
}
