/**
 * The search and merge of a page by rank (rank-search.ts) over groups of sources held in memory
 * here (the groups are flexq's own interface; the Redis-backed ones are tested in
 * pendingPages-deep, pending-levels and sharded-pages): any page equals its slice of the full
 * merge, a run of hidden entries gives a short page in bounded calls, and a page of the largest
 * limit over many sources is whole.
 */
import { describe, expect, it } from 'vitest';
import { readRankedPage, type RankedEntry, type RankedGroup } from '../../src/engine/rank-search.js';

/** A group whose sources are arrays in listing order (keys never grow along each); counts its calls. */
function memoryGroup(sources: Record<string, RankedEntry[]>): RankedGroup & { calls: number } {
  const group = {
    calls: 0,
    async sources() {
      group.calls++;
      return Object.entries(sources).map(([source, entries]) => ({ source, entries: entries.length }));
    },
    async count(pivot: number, orEqual: boolean, brackets: readonly { source: string; from: number; to: number }[]) {
      group.calls++;
      return brackets.map(({ source, from, to }) => {
        let lo = from;
        let hi = to;
        while (lo < hi) {
          const mid = Math.floor((lo + hi) / 2);
          const key = sources[source]![mid]!.key;
          if (orEqual ? key < pivot : key <= pivot) hi = mid;
          else lo = mid + 1;
        }
        return lo;
      });
    },
    async read(wanted: readonly { source: string; start: number; count: number }[]) {
      group.calls++;
      return wanted.map(({ source, start, count }) => sources[source]!.slice(start, start + count));
    },
  };
  return group;
}

/** The full merge, as the search must order it: key descending, ties by group, source, rank. */
function oracle(groups: Record<string, RankedEntry[]>[]): string[] {
  const all = groups.flatMap((g, gi) => Object.values(g).flatMap((entries, si) => entries.map((e, rank) => ({ ...e, order: [gi, si, rank] }))));
  all.sort((a, b) => b.key - a.key || a.order[0]! - b.order[0]! || a.order[1]! - b.order[1]! || a.order[2]! - b.order[2]!);
  return all.filter((e) => e.shown).map((e) => e.entry);
}

/** Sources of `count` entries each, keys drawn from a small range (many ties), newest first. */
function randomSources(prefix: string, sources: number, count: number, seed: number): Record<string, RankedEntry[]> {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Object.fromEntries(Array.from({ length: sources }, (_, s) => {
    const keys = Array.from({ length: count }, () => Math.floor(next() * 50)).sort((a, b) => b - a);
    return [`${prefix}${s}`, keys.map((key, i) => ({ entry: `${prefix}${s}-${i}`, key, shown: true }))];
  }));
}

describe('a page by rank over groups of sources', () => {
  it('is the slice of the full merge at every offset, ties by group, source and rank', async () => {
    const data = [randomSources('a', 4, 30, 1), randomSources('b', 7, 11, 2), randomSources('c', 1, 55, 3)];
    const all = oracle(data);
    for (const limit of [1, 7, 40]) {
      for (let offset = 0; offset <= all.length; offset += 3) {
        const { entries, total } = await readRankedPage(data.map((d) => memoryGroup(d)), offset, limit);
        expect([offset, limit, entries.map((e) => e.entry)]).toEqual([offset, limit, all.slice(offset, offset + limit)]);
        expect(total).toBe(all.length);
      }
    }
  });

  it('reads a long run of hidden entries in growing reads and comes back short past its cap, never failing', async () => {
    const hidden = (n: number) => Array.from({ length: n }, (_, i) => ({ entry: `~${i}`, key: 1_000_000 - i, shown: false }));
    const behind = (n: number) => ({ level: [...hidden(n), { entry: 'live', key: 1, shown: true }] });
    const near = memoryGroup(behind(30_000));
    expect((await readRankedPage([near], 0, 20)).entries.map((e) => e.entry)).toEqual(['live']);
    // Reads double up to 200 entries a call: 30,000 hidden entries take about 150 calls, not 800.
    expect(near.calls).toBeLessThan(200);
    const far = memoryGroup(behind(120_000));
    expect(await readRankedPage([far], 0, 20)).toEqual({ entries: [], total: 120_001 });
    expect(far.calls).toBeLessThan(400);
  });

  it('fills a page of 10,000 entries over 60 sources', async () => {
    const data = [randomSources('a', 20, 200, 4), randomSources('b', 20, 200, 5), randomSources('c', 20, 200, 6)];
    const { entries } = await readRankedPage(data.map((d) => memoryGroup(d)), 0, 10_000);
    expect(entries.map((e) => e.entry)).toEqual(oracle(data).slice(0, 10_000));
  });
});
