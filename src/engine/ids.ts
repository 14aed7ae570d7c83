import { randomFillSync } from 'node:crypto';

// Crockford's base32 alphabet, lower case: no i, l, o, u, so ids read back unambiguously.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const ID_LENGTH = 16; // 80 random bits: collisions are negligible, and addJobs rejects one anyway
const pool = new Uint8Array(ID_LENGTH * 256);
let poolOffset = pool.length;

/** A new random job id of 16 base32 characters. */
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
