/**
 * Terminal safety: a job whose type, payload, error and result carry escape sequences (CSI, OSC 52,
 * 8-bit CSI), bidi overrides and zero-width characters is shown by every output (console list,
 * detail and log tail; `flexq jobs` and `show`, plain and --json; the host's log lines), and no
 * output holds a raw control or invisible character. JSON keeps them, as `\uXXXX` escapes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatJobs } from '../../src/cli/format.js';
import { createHostLogger } from '../../src/host/logger.js';
import { redactLogLine } from '../../src/host/log-redaction.js';
import type { Job } from '../../src/index.js';
import { openHarness, type Harness } from '../tui/harness.js';
import { redisEnv, runFlexq, tempFolder } from '../exe/helpers.js';
import { handlerFunc } from '../../src/index.js';

/** Every character a terminal acts on or hides: C0 but tab and newline, DEL, C1, bidi controls, zero-width. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

const HOSTILE = 'A\u001b[31mRED\u001b]52;c;ZXZpbA==\u0007B\u009b2JC\u202eDE\u200bF\u2066G\u2069\u0085H\u001b[0m';
const HOSTILE_TYPE = 'evil\u001b[2J\u202etype';

function firstRaw(text: string): string {
  const at = text.search(RAW_CONTROL);
  return at < 0 ? '' : `U+${text.codePointAt(at)!.toString(16).padStart(4, '0')} at ${at}: …${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}`;
}

describe('hostile job text is shown without control characters', () => {
  let harness: Harness;
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  const ids: Record<'failed' | 'completed', string> = { failed: '', completed: '' };

  beforeAll(async () => {
    harness = await openHarness({
      handlers: {
        [HOSTILE_TYPE]: handlerFunc((ctx, job) => {
          ctx.logger.info({ note: HOSTILE }, `handling ${HOSTILE}`);
          return job.payload['ok'] === true ? { success: true, data: { text: HOSTILE } } : { success: false, retry: false, error: `boom ${HOSTILE}` };
        }),
      },
    });
    ids.failed = (await harness.queue.push({ type: HOSTILE_TYPE, payload: { note: HOSTILE, [HOSTILE]: 1 }, maxAttempts: 1 })).id;
    ids.completed = (await harness.queue.push({ type: HOSTILE_TYPE, payload: { ok: true, note: HOSTILE }, maxAttempts: 1 })).id;
    folder = await tempFolder();
  }, 30_000);

  afterAll(async () => {
    await harness?.cleanup();
    await folder?.remove();
  });

  it('in the console: list, detail and log tail', async () => {
    await harness.frame(() => harness.logs.lines().filter((line) => line.msg.startsWith('job ')).length >= 2, 'both jobs to finish');
    const frames: string[] = [];
    for (const [tab, id] of Object.entries(ids)) {
      harness.store.getState().selectTab(tab as 'failed' | 'completed');
      harness.store.getState().open('jobs');
      frames.push(await harness.frame(id, `${tab} list`));
      harness.store.getState().openDetail(null, id);
      frames.push(await harness.frame('payload', `${tab} detail`));
      harness.store.getState().back();
    }
    harness.store.getState().open('logs');
    frames.push(await harness.frame('handling', 'log tail'));
    for (const frame of frames) expect(firstRaw(frame)).toBe('');
    expect(frames.join('\n')).toContain('AREDBCDEFGH'); // the visible text stays, in order
  });

  it('in flexq jobs and show, plain and --json', async () => {
    const env = redisEnv(harness.queue.prefix);
    const outputs = [
      await runFlexq(['jobs'], { env, cwd: folder.dir }),
      await runFlexq(['jobs', '--json'], { env, cwd: folder.dir }),
      ...(await Promise.all(Object.values(ids).flatMap((id) => [
        runFlexq(['show', id], { env, cwd: folder.dir }),
        runFlexq(['show', id, '--json'], { env, cwd: folder.dir }),
      ]))),
    ];
    for (const { code, stdout, stderr } of outputs) {
      expect(code, stderr).toBe(0);
      expect(firstRaw(stdout)).toBe('');
    }
    const listed = JSON.parse(outputs[1]!.stdout) as { type: string; payload: Record<string, unknown> }[];
    // JSON escapes rather than drops: a script reading it gets the very text that was stored.
    expect(listed.map((job) => job.type)).toEqual([HOSTILE_TYPE, HOSTILE_TYPE]);
    expect(outputs[1]!.stdout).toContain('\\u202e');
    expect(outputs[1]!.stdout).toContain('\\u009b');
  }, 60_000);

  it('in log lines, at every destination', () => {
    const line = JSON.stringify({ level: 30, msg: `handling ${HOSTILE}`, note: HOSTILE, [HOSTILE]: 1 });
    const written = redactLogLine(line, []);
    expect(firstRaw(written)).toBe('');
    expect(JSON.parse(written)).toEqual(JSON.parse(line));
    const { logger, ring } = createHostLogger({ level: 'trace' }, 'console');
    logger.trace({ note: HOSTILE }, HOSTILE);
    expect(ring!.lines().map((entry) => entry.msg)).toEqual([HOSTILE]);
  });

  it('the 60-character error cut of flexq jobs leaves no colour on', () => {
    const job = {
      id: 'j1', queue: 'default', type: 'x', payload: {}, status: 'failed', attempts: 1, maxAttempts: 1, priority: 0, delay: 0,
      createdAt: new Date(0), enteredAt: new Date(0), error: `${'e'.repeat(55)}\u001b[31m${'r'.repeat(20)}\u001b[0m`,
    } satisfies Job;
    const text = formatJobs([job], { color: true });
    const own = /\u001b\[(?:1|2|22|31|32|33|34|35|36|39)m/g;
    for (const row of text.split('\n')) {
      const codes = row.match(own) ?? [];
      const opens = codes.filter((code) => !/\[(?:22|39)m/.test(code)).length;
      expect(opens, row).toBe(codes.length - opens); // each colour opened is closed on its row
    }
    expect(text.replace(own, '')).not.toMatch(RAW_CONTROL);
    expect(text).toContain(`${'e'.repeat(55)}rrrr…`);
  });
});
