import { describe, expect, it } from 'vitest';
import { consecutiveIds, newJobIds } from '../../src/engine/ids.js';

const ID = /^[0-9abcdefghjkmnpqrstvwxyz]{12}$/;

describe('job ids', () => {
  it('of one call are distinct, 12 base32 characters, and ascend as text', () => {
    const ids = newJobIds(5_000);
    expect(ids.every((id) => ID.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(5_000);
    expect(ids.every((id, i) => i === 0 || ids[i - 1]! < id)).toBe(true);
  });

  it('keep ascending where the low 30 bits carry into the high ones', () => {
    const ids = consecutiveIds(7, 2 ** 30 - 2, 4);
    expect(ids).toEqual(['000007zzzzzy', '000007zzzzzz', '000008000000', '000008000001']);
  });

  it('of two calls start at unrelated places', () => {
    const [a] = newJobIds(2);
    const [b] = newJobIds(2);
    expect(a!.slice(0, 6)).not.toBe(b!.slice(0, 6));
  });
});
