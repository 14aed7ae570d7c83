import { describe, expect, it } from 'vitest';
import { formatJob, formatJobs, formatStats, jobJson, jobsJson, statsJson } from '../../src/host/format.js';
import { makeJob, makeStats } from './fixtures.js';

const plain = { color: false };
const ansi = /\u001b\[[0-9;]*m/g;

describe('formatStats', () => {
  it('aligns queues left and counts right under their headers', () => {
    const text = formatStats([{ queue: 'default', stats: makeStats() }, { queue: 'emails-long', stats: makeStats(10) }], plain);
    expect(text).toBe(
      [
        'QUEUE        PENDING  DELAYED  PROCESSING  RETRYING  COMPLETED  FAILED  CANCELLED',
        'default            1        2           3         4       1500       6          7',
        'emails-long       11       12          13        14       1510      16         17',
        '',
      ].join('\n'),
    );
  });

  it('JSON is keyed by queue name', () => {
    expect(JSON.parse(statsJson([{ queue: 'a', stats: makeStats() }]))).toEqual({ a: makeStats() });
  });
});

describe('formatJobs', () => {
  const jobs = [
    makeJob({ id: 'a1', status: 'failed', attempts: 3, error: 'SMTP said no\nand more', priority: 10 }),
    makeJob({ id: 'b22222', queue: 'emails', type: 'webhook', status: 'completed', attempts: 1 }),
  ];

  it('aligns every column; the error is one line', () => {
    expect(formatJobs(jobs, plain)).toBe(
      [
        'ID      QUEUE    TYPE     STATUS     PRIORITY  ATTEMPTS  CREATED              ERROR',
        'a1      default  email    failed           10       3/3  2026-01-31 12:00:05  SMTP said no and more',
        'b22222  emails   webhook  completed         0       1/3  2026-01-31 12:00:05',
        '',
      ].join('\n'),
    );
  });

  it('cuts long errors', () => {
    const line = formatJobs([makeJob({ error: 'x'.repeat(200) })], plain).split('\n')[1] ?? '';
    expect(line.endsWith(`${'x'.repeat(59)}…`)).toBe(true);
  });

  it('says so when there are no jobs', () => {
    expect(formatJobs([], plain)).toBe('no jobs\n');
  });

  it('coloured output keeps the columns aligned', () => {
    const coloured = formatJobs(jobs, { color: true });
    expect(coloured).toMatch(ansi);
    expect(coloured.replace(ansi, '')).toBe(formatJobs(jobs, plain));
  });

  it('JSON is the array of jobs with ISO dates', () => {
    expect(JSON.parse(jobsJson(jobs))).toEqual([
      expect.objectContaining({ id: 'a1', createdAt: '2026-01-31T12:00:05.123Z' }),
      expect.objectContaining({ id: 'b22222' }),
    ]);
  });
});

describe('formatJob', () => {
  it('lists the fields that are set, labels aligned, JSON indented under its label', () => {
    const job = makeJob({
      status: 'completed',
      attempts: 1,
      processedAt: new Date('2026-01-31T12:00:06.000Z'),
      payload: { to: 'a@example.com', n: 1 },
      result: 'sent',
    });
    expect(formatJob(job, plain)).toBe(
      [
        'id         job-1',
        'queue      default',
        'type       email',
        'status     completed',
        'attempts   1/3',
        'priority   0',
        'delay      0 ms',
        'created    2026-01-31T12:00:05.123Z',
        'entered    2026-01-31T12:00:05.123Z',
        'processed  2026-01-31T12:00:06.000Z',
        'payload    {',
        '             "to": "a@example.com",',
        '             "n": 1',
        '           }',
        'result     "sent"',
        '',
      ].join('\n'),
    );
  });

  it('shows the error, timeout, due time and progress of a retrying job', () => {
    const text = formatJob(
      makeJob({ status: 'retrying', error: 'timeout', timeout: 5000, runAt: new Date('2026-02-01T00:00:00.000Z'), progress: 50 }),
      plain,
    );
    expect(text).toContain('error     timeout\n');
    expect(text).toContain('timeout   5000 ms\n');
    expect(text).toContain('runs at   2026-02-01T00:00:00.000Z\n');
    expect(text).toContain('progress  50\n');
  });

  it('JSON is the job object', () => {
    expect(JSON.parse(jobJson(makeJob()))).toEqual(expect.objectContaining({ id: 'job-1', payload: { to: 'a@example.com' }, enteredAt: '2026-01-31T12:00:05.123Z' }));
  });
});
