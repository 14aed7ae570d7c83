/** The console's moving parts: jobs in/out per second with their sparklines, and progress bars. */
import { afterEach, describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/index.js';
import { KEY, openHarness, type Harness } from './harness.js';
import { waitFor } from '../helpers.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.cleanup();
  h = undefined;
});

/** The header's rates and sparklines: `in 4.0/s ▁▁█…  out …`. */
function header(frame: string): { inRate: number; inSpark: string; outRate: number; outSpark: string } | null {
  const match = /in (\d+(?:\.\d)?)\/s ([▁-█]+)\s+out (\d+(?:\.\d)?)\/s ([▁-█]+)/.exec(frame.split('\n')[0] ?? '');
  return match ? { inRate: Number(match[1]), inSpark: match[2]!, outRate: Number(match[3]), outSpark: match[4]! } : null;
}

describe('header', () => {
  it('counts jobs in and out per second over the last 5 s, with a sparkline of each', async () => {
    h = await openHarness({ handlers: { noop: () => ({ success: true }) } });
    const idle = header(await h.frame((f) => header(f) !== null, 'the header'))!;
    expect(idle).toMatchObject({ inRate: 0, outRate: 0 });
    expect(idle.inSpark).toMatch(/^▁+$/);
    await h.queue.pushBulk(Array.from({ length: 20 }, () => ({ type: 'noop' })));
    await waitFor('all done', async () => (await h!.queue.getStats()).completedJobs === 20);
    // 20 jobs in (one bulk) and out within the 5-second window: 4.0/s each, shown once their second is over.
    const busy = header(await h.frame((f) => {
      const seen = header(f);
      return seen !== null && seen.inRate === 4 && seen.outRate === 4;
    }, '4.0/s in and out'))!;
    // The second of the bulk is the tallest bar; the quiet seconds before it the lowest.
    expect(busy.inSpark).toContain('█');
    expect(busy.inSpark).toContain('▁');
    expect(busy.outSpark).toContain('█');
  });
});

describe('progress bars', () => {
  it('a running job shows its ctx.progress as a bar in the processing tab', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    h = await openHarness({
      handlers: {
        steps: async (ctx: JobContext, job) => {
          await ctx.progress({ percent: job.payload.percent });
          await held;
          return { success: true };
        },
      },
    });
    const forty = await h.queue.push({ type: 'steps', payload: { percent: 40 } });
    const ninety = await h.queue.push({ type: 'steps', payload: { percent: 90 } });
    await h.press('3');
    const frame = await h.frame((f) => f.includes('40%') && f.includes('90%'), 'both bars');
    const row = (id: string) => frame.split('\n').find((line) => line.includes(id)) ?? '';
    expect(row(forty.id)).toContain('[###----]  40%');
    expect(row(ninety.id)).toContain('[######-]  90%');
    release();
    await h.press(KEY.right, KEY.right, KEY.right); // to the completed tab
    await h.frame((f) => f.includes(forty.id) && !f.includes('40%'), 'done: no bar');
  });

  it('shows the host\'s firing alerts first on the line, and drops them once resolved', async () => {
    let firing: string[] = [];
    h = await openHarness({ firingAlerts: () => firing });
    await h.frame('QUEUE', 'the console');
    expect(h.lastFrame().split('\n')[0]).not.toContain('ALERT');
    firing = ['mail-backlog', 'mail-failing'];
    const frame = await h.frame('ALERT', 'the alert in the header');
    expect(frame.split('\n')[0]).toMatch(/^flexq {2}ALERT mail-backlog, mail-failing {2}127\.0\.0\.1/);
    firing = [];
    await h.frame((f) => !f.includes('ALERT'), 'the alert gone');
  });
});
