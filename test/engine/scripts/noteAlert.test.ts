import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scriptHarness, snapshot, type Harness } from './harness.js';

describe('noteAlert.lua', () => {
  let h: Harness;
  let request = 0;
  beforeEach(async () => (h = await scriptHarness('noteAlert')));
  afterEach(() => h.close());

  const note = (holds: boolean, coolDown = 60_000, requestId = `r${++request}`, id = 'backlog:default') =>
    h.store.call('noteAlert', [id, holds ? '1' : '0', coolDown, requestId]) as Promise<[string, string]>;
  const stateKey = (id = 'backlog:default') => `${h.keys.base}alert:${id}`;

  it('fires once, stays quiet within the cool-down without writing, then resolves once', async () => {
    const [notice, since] = await note(true);
    expect(notice).toBe('fire');
    expect(Number(since)).toBeGreaterThan(0);
    const before = await snapshot(h);
    expect(await note(true)).toEqual(['quiet', since]);
    expect(await snapshot(h)).toEqual(before);
    expect(await note(false)).toEqual(['resolve', since]);
    expect(await note(false)).toEqual(['quiet', '']);
    // The key goes away by itself a day after the cool-down.
    expect(await h.raw.pttl(stateKey())).toBeGreaterThan(86_400_000);
  });

  it('of many hosts noting at once, exactly one sends the firing notice, then one the resolved notice', async () => {
    const fired = await Promise.all(Array.from({ length: 8 }, () => note(true)));
    expect(fired.filter(([notice]) => notice === 'fire')).toHaveLength(1);
    const cleared = await Promise.all(Array.from({ length: 8 }, () => note(false)));
    expect(cleared.filter(([notice]) => notice === 'resolve')).toHaveLength(1);
  });

  it('a firing again within the cool-down sends nothing, and neither does its clearing', async () => {
    await note(true);
    await note(false);
    expect((await note(true))[0]).toBe('quiet');
    expect((await note(false))[0]).toBe('quiet');
  });

  it('sends the firing notice again once the cool-down has passed while it still fires', async () => {
    expect((await note(true, 0))[0]).toBe('fire');
    expect((await note(true, 0))[0]).toBe('fire');
    expect((await note(true, 60_000))[0]).toBe('quiet');
  });

  it('answers a resent request as the first time, so a lost reply loses no notice and sends none twice', async () => {
    expect((await note(true, 60_000, 'same'))[0]).toBe('fire');
    expect((await note(true, 60_000, 'same'))[0]).toBe('fire');
    expect((await note(true, 60_000, 'other'))[0]).toBe('quiet');
  });

  it('keeps alerts apart by id', async () => {
    expect((await note(true, 60_000, 'a', 'backlog:default'))[0]).toBe('fire');
    expect((await note(true, 60_000, 'b', 'backlog:emails'))[0]).toBe('fire');
  });

  it('refuses bad arguments before writing anything', async () => {
    await expect(h.store.call('noteAlert', ['x:q', '2', 1000, 'r'])).rejects.toThrow(/condition must be 1 or 0/);
    await expect(h.store.call('noteAlert', ['x:q', '1', 'soon', 'r'])).rejects.toThrow(/cool-down must be a number/);
    await expect(h.store.call('noteAlert', ['', '1', 1000, 'r'])).rejects.toThrow(/alert id/);
    expect(await snapshot(h)).toEqual({});
  });
});
