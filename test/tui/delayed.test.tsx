import { afterEach, describe, expect, it } from 'vitest';
import { KEY, openHarness, queueRow, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

describe('delayed jobs', () => {
  it('count and show as delayed in every view, as the stats count them', async () => {
    h = await openHarness();
    const later = await h.queue.pushDelayed({ type: 'later' }, 60_000);
    // Queue row: PEND 0, DELAY 1; the tab strip says the same.
    const first = await h.frame((f) => queueRow(f, 'default')[3] === '1', 'the delayed job in the queue row');
    expect(queueRow(first, 'default')[2]).toBe('0');
    expect(first).toContain('1:pend 0 2:dela 1');
    await h.press('1');
    await h.frame('no pending jobs', 'an empty pending tab');
    expect(h.lastFrame()).not.toContain(later.id);
    await h.press('2');
    await h.frame((f) => f.includes(later.id) && f.includes('RUN AT'), 'the delayed tab');
    await h.press('c');
    await h.frame(`Cancel job ${later.id} (later, delayed)? y/n`, 'the question names it delayed');
    await h.press('n', KEY.enter);
    const detail = await h.frame(`Job ${later.id} · default · delayed`, 'the detail title');
    expect(detail).toMatch(/status\s+delayed \(since/);
  });
});
