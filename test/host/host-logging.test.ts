/**
 * The host's log, in process: `[logging]` (level, file) reaching the logger, and the queue events
 * another process causes (pause, resume, cancel) reaching the log. test/exe/logging.test.ts and
 * host-events.test.ts check the same through the built executable.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHostLogger } from '../../src/host/logger.js';
import { QueueEventLog } from '../../src/host/queue-event-log.js';
import { RedisQueue } from '../../src/index.js';
import { REDIS_URL, deletePrefix, uniquePrefix, waitFor } from '../helpers.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flexq-log-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const jsonLines = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

describe('[logging] reaches the host logger', () => {
  it('headless with a file: lines at the level and above go to the file, masked, in a folder made for it', async () => {
    const file = join(dir, 'new', 'folder', 'flexq.log');
    const { logger, ring, flush } = createHostLogger({ level: 'warn', file }, 'headless', ['card']);
    expect(ring).toBeUndefined();
    logger.info('below the level');
    logger.warn({ card: 'leak-card', queue: 'q' }, 'kept');
    logger.error('kept too');
    // The file is written in the background; wait for it rather than flush(), which may write
    // what is buffered ahead of a write still under way.
    const text = await waitFor('both lines in the file', async () => {
      const written = await readFile(file, 'utf8');
      return written.split('\n').length > 2 ? written : null;
    });
    flush();
    const lines = jsonLines(text);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([[40, 'kept'], [50, 'kept too']]);
    expect(lines[0]).toMatchObject({ queue: 'q', pid: process.pid });
    expect(JSON.stringify(lines)).not.toContain('leak-card');
  });

  it('close() leaves every line in the file, in order, however many were still being written', async () => {
    const file = join(dir, 'flexq.log');
    const { logger, close } = createHostLogger({ level: 'info', file }, 'headless');
    for (let n = 0; n < 5_000; n++) logger.info({ n }, 'line');
    logger.info('the last line');
    await close();
    const lines = jsonLines(await readFile(file, 'utf8'));
    expect(lines).toHaveLength(5_001);
    expect(lines.slice(0, -1).every((line, n) => line['n'] === n)).toBe(true);
    expect(lines.at(-1)!['msg']).toBe('the last line');
  });

  it('console mode keeps lines at the level in the ring, and in the file when one is set', async () => {
    const file = join(dir, 'flexq.log');
    await writeFile(file, '');
    const { logger, ring, flush } = createHostLogger({ level: 'info', file }, 'console');
    logger.debug('below the level');
    logger.info({ jobId: 'j1' }, 'for the console');
    expect(ring!.lines().map((l) => [l.level, l.msg, l.jobId])).toEqual([['info', 'for the console', 'j1']]);
    const text = await waitFor('the line in the file', async () => (await readFile(file, 'utf8')) || null);
    flush();
    expect(jsonLines(text).map((l) => l.msg)).toEqual(['for the console']);
  });

  it('a level set to silent logs nothing, even fatal', () => {
    const { logger, ring } = createHostLogger({ level: 'silent' }, 'console');
    logger.fatal('not even this');
    expect(ring!.lines()).toEqual([]);
  });

  it('a log file that cannot be written fails at start, naming the path and the setting', () => {
    const file = join('/dev/null', 'flexq.log');
    let error: Error | undefined;
    try {
      createHostLogger({ level: 'info', file }, 'headless');
    } catch (caught) {
      error = caught as Error;
    }
    expect(error?.message).toMatch(`cannot write the log file ${file} ([logging] file): `);
    expect((error?.cause as NodeJS.ErrnoException).code).toMatch(/^E/);
  });
});

describe('the queue events of other processes reach the host log', () => {
  let prefix: string;
  let queue: RedisQueue;
  beforeEach(async () => {
    prefix = uniquePrefix('event-log');
    queue = await RedisQueue.connect('q', { url: REDIS_URL, prefix });
  });
  afterEach(async () => {
    await queue.close();
    await deletePrefix(prefix);
  });

  it('pause, resume and cancel are logged from the moment it starts; job outcomes are not', async () => {
    await queue.pause();
    await queue.resume(); // before the start: not logged
    const { logger, ring } = createHostLogger({ level: 'info' }, 'console');
    const events = new QueueEventLog([queue], logger);
    await events.start();
    try {
      const popped = await queue.push({ type: 't' });
      await queue.pop();
      const pending = await queue.push({ type: 't' });
      await queue.pause();
      await queue.resume();
      await queue.cancelJob(pending.id);
      await queue.cancelJob(popped.id);
      const expected = [
        ['queue q paused: no new jobs are claimed until it is resumed', { queue: 'q', event: 'paused' }],
        ['queue q resumed', { queue: 'q', event: 'resumed' }],
        [`job ${pending.id} cancelled (was pending)`, { queue: 'q', event: 'cancelled', jobId: pending.id, previousStatus: 'pending' }],
        [`job ${popped.id} cancelled (was processing)`, { queue: 'q', event: 'cancelled', jobId: popped.id, previousStatus: 'processing' }],
      ] as const;
      await waitFor('four lines', () => ring!.lines().length >= expected.length);
      const lines = ring!.lines();
      expect(lines.map((l) => l.msg)).toEqual(expected.map(([msg]) => msg));
      expected.forEach(([, fields], i) => expect(lines[i]!.raw).toMatchObject(fields));
      // Read on: a later event comes after these, once.
      await queue.pause();
      await waitFor('the fifth line', () => ring!.lines().length === 5);
      expect(ring!.lines()[4]!.msg).toMatch(/^queue q paused/);
      // Stopped, it logs nothing more: a resume after the stop, and a later pause that shows
      // a poll went by, stay out of this log.
      await events.stop();
      await queue.resume();
      const witness = new QueueEventLog([queue], logger.child({ witness: true }));
      await witness.start();
      await queue.pause();
      await waitFor('the witness to log the pause', () => ring!.lines().some((line) => line.raw.witness === true));
      await witness.stop();
      expect(ring!.lines().filter((line) => line.raw.witness !== true)).toHaveLength(5);
    } finally {
      await events.stop();
    }
  });
});
