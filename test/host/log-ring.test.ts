import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LogRing } from '../../src/host/log-ring.js';

describe('LogRing', () => {
  it('keeps pino lines decoded, newest last, and tells subscribers', () => {
    const ring = new LogRing(3);
    const seen: string[] = [];
    const unsubscribe = ring.subscribe((line) => seen.push(line.msg));
    const logger = pino({ level: 'info' }, ring);
    logger.child({ queue: 'default', jobId: 'j1' }).warn({ durationMs: 5 }, 'job retrying');
    expect(ring.lines()[0]).toMatchObject({ level: 'warn', msg: 'job retrying', queue: 'default', jobId: 'j1', raw: { durationMs: 5 } });
    for (const n of [1, 2, 3]) logger.info(`line ${n}`);
    expect(ring.lines().map((line) => line.msg)).toEqual(['line 1', 'line 2', 'line 3']);
    unsubscribe();
    logger.info('unseen');
    expect(seen).toEqual(['job retrying', 'line 1', 'line 2', 'line 3']);
  });

  it("keeps why a line went wrong: a failed attempt's error, or a logged error's message", () => {
    const ring = new LogRing();
    const logger = pino({ level: 'info' }, ring);
    logger.warn({ jobId: 'j1', error: 'email not sent (ESOCKET): connect ECONNREFUSED 127.0.0.1:587' }, 'job failed');
    logger.error({ err: new Error('could not reach Redis') }, 'claim failed');
    logger.info('job completed');
    expect(ring.lines().map((line) => line.error)).toEqual([
      'email not sent (ESOCKET): connect ECONNREFUSED 127.0.0.1:587', 'could not reach Redis', undefined,
    ]);
  });

  it('keeps a line that is not JSON as its text', () => {
    const ring = new LogRing();
    ring.write('plain text\n');
    expect(ring.lines()[0]).toMatchObject({ level: 'info', msg: 'plain text', raw: {} });
  });
});
