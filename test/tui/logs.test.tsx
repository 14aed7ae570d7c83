import { afterEach, describe, expect, it } from 'vitest';
import { KEY, openHarness, type Harness } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

/** The log lines on screen that the test wrote, by number. */
const numbers = (frame: string) => [...frame.matchAll(/line (\d{3})/g)].map((m) => Number(m[1]));

describe('log view', () => {
  it('scrolls with k/↑ and PgUp, back with j/↓ and PgDn, and G/End follows the tail again', async () => {
    h = await openHarness();
    for (let i = 0; i < 100; i++) h.logs.logger.info(`line ${String(i).padStart(3, '0')}`);
    await h.press('l');
    const tail = await h.frame((f) => numbers(f).includes(99) && f.includes('following'), 'the tail');
    const height = numbers(tail).length;
    await h.press('k');
    await h.frame((f) => Math.max(...numbers(f)) === 98, 'k scrolls up a line');
    await h.press(KEY.up);
    await h.frame((f) => Math.max(...numbers(f)) === 97, '↑ scrolls up a line');
    await h.press(KEY.pageUp);
    const paged = await h.frame((f) => Math.max(...numbers(f)) < 97 - height / 2, 'PgUp scrolls up a page');
    const top = Math.min(...numbers(paged));
    // New lines do not move a window that is scrolled up.
    h.logs.logger.info('line 100');
    await h.frame((f) => f.includes('101/'), 'the new line counted');
    expect(Math.min(...numbers(h.lastFrame()))).toBe(top);
    await h.press(KEY.pageDown, 'j', KEY.down);
    await h.frame((f) => Math.min(...numbers(f)) > top, 'PgDn and j/↓ scroll down');
    await h.press('G');
    await h.frame((f) => numbers(f).includes(100) && f.includes('following'), 'G follows the tail');
    await h.press('k', 'k');
    await h.frame((f) => !numbers(f).includes(100), 'scrolled up again');
    await h.press('\u001B[F'); // End
    await h.frame((f) => numbers(f).includes(100) && f.includes('following'), 'End follows the tail');
  });

  it("shows why a failed job failed, its secrets masked", async () => {
    h = await openHarness();
    h.logs.logger.warn({ jobId: 'j1', queue: 'default', error: 'POST https://hooks.test/x?token=abc123 answered 500' }, 'job failed');
    await h.press('l');
    const frame = await h.frame((f) => f.includes('job failed'), 'the failed job line');
    expect(frame).toMatch(/job failed: POST https:\/\/hooks\.test\/x\?token=\S*redacted/);
    expect(frame).not.toContain('abc123');
  });
});
