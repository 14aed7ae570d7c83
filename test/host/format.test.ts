import { describe, expect, it } from 'vitest';
import { formatJob, formatJobs, formatStats, jobJson, jobsJson, statsJson } from '../../src/cli/format.js';
import { makeJob, makeStats } from './fixtures.js';

const plain = { color: false };
const ansi = /\u001b\[[0-9;]*m/g;

describe('formatStats', () => {
  it('aligns queues left and counts right under their headers', () => {
    const text = formatStats([{ queue: 'default', stats: makeStats(), paused: false }, { queue: 'emails-long', stats: makeStats(10), paused: true }], plain);
    expect(text).toBe(
      [
        'QUEUE        STATE    PENDING  DELAYED  PROCESSING  RETRYING  COMPLETED  FAILED  CANCELLED',
        'default      running        1        2           3         4       1500       6          7',
        'emails-long  paused        11       12          13        14       1510      16         17',
        '',
      ].join('\n'),
    );
  });

  it('shows a sharded queue as one row with its shards below, and in JSON with its shards', () => {
    const shards = [0, 1].map((shard) => ({ shard, node: `127.0.0.1:700${shard}`, stats: makeStats(shard), paused: false, oldestReadyAt: null }));
    const entry = { queue: 'emails', stats: makeStats(), paused: false, shards };
    expect(formatStats([entry], plain).split('\n').map((line) => line.trim().split(/\s{2,}/).slice(0, 3).join('|'))).toEqual([
      'QUEUE|STATE|PENDING', 'emails|running|1', '#0 127.0.0.1:7000|running|1', '#1 127.0.0.1:7001|running|2', '',
    ]);
    expect(JSON.parse(statsJson([entry])).emails.shards).toEqual([
      { shard: 0, node: '127.0.0.1:7000', paused: false, ...makeStats(0) },
      { shard: 1, node: '127.0.0.1:7001', paused: false, ...makeStats(1) },
    ]);
  });

  it("gives a sharded queue's totals on its own row, the shard rows blank there", () => {
    const shards = [0, 1].map((shard) => ({ shard, stats: makeStats(shard), paused: false, oldestReadyAt: null }));
    const entry = { queue: 'emails', stats: makeStats(), paused: false, totals: { completed: 90, failed: 8 }, shards };
    const lines = formatStats([entry], plain).split('\n').map((line) => line.trim().split(/\s{2,}/));
    expect(lines[0]!.slice(-2)).toEqual(['ALL DONE', 'ALL FAILED']);
    expect(lines[1]!.slice(-2)).toEqual(['90', '8']);
    expect(lines.slice(2, 4).map((cells) => cells.length)).toEqual([9, 9]);
    expect(JSON.parse(statsJson([entry])).emails).toMatchObject({ totals: { completed: 90, failed: 8 }, shards: [{ shard: 0 }, { shard: 1 }] });
  });

  it('gives totals and the rate limit side by side, on the queue row only; JSON carries both', () => {
    const shards = [0, 1].map((shard) => ({ shard, stats: makeStats(shard), paused: false, oldestReadyAt: null }));
    const rateLimit = { max: 100, per: 1_000, started: 3, opensIn: 0 };
    const entry = { queue: 'emails', stats: makeStats(), paused: false, totals: { completed: 90, failed: 8 }, rateLimit, rateLimited: false, shards };
    const lines = formatStats([entry], plain).split('\n').map((line) => line.trim().split(/\s{2,}/));
    expect(lines[0]!.slice(-3)).toEqual(['ALL DONE', 'ALL FAILED', 'LIMIT']);
    expect(lines[1]!.slice(-3)).toEqual(['90', '8', '100/1s']);
    expect(lines.slice(2, 4).map((cells) => cells.length)).toEqual([9, 9]);
    expect(JSON.parse(statsJson([entry])).emails).toMatchObject({ totals: { completed: 90, failed: 8 }, rateLimit, rateLimited: false });
  });

  it('JSON is keyed by queue name and says whether the queue is paused', () => {
    expect(JSON.parse(statsJson([{ queue: 'a', stats: makeStats(), paused: true }]))).toEqual({ a: { ...makeStats(), paused: true } });
  });
});

describe('formatJobs', () => {
  const jobs = [
    makeJob({ id: 'a1', status: 'failed', attempts: 3, error: 'SMTP said no\nand more', priority: 10, enteredAt: new Date('2026-01-31T12:30:00Z') }),
    makeJob({ id: 'b22222', queue: 'emails', type: 'webhook', status: 'completed', attempts: 1, enteredAt: new Date('2026-01-31T12:10:00Z') }),
  ];

  it('aligns every column; the error is one line; the time shown is the one it is sorted by', () => {
    expect(formatJobs(jobs, plain)).toBe(
      [
        'ID      QUEUE    TYPE     STATUS     PRIORITY  ATTEMPTS  SINCE                ERROR',
        'a1      default  email    failed           10       3/3  2026-01-31 12:30:00  SMTP said no and more',
        'b22222  emails   webhook  completed         0       1/3  2026-01-31 12:10:00',
        '',
      ].join('\n'),
    );
  });

  it('shows a pending job not yet due as delayed, with its due time when listed by it', () => {
    const now = Date.parse('2026-01-31T12:00:00Z');
    const delayed = makeJob({ id: 'd1', status: 'pending', delay: 3_600_000, runAt: new Date('2026-01-31T13:00:00Z') });
    const ready = makeJob({ id: 'r1', status: 'pending' });
    expect(formatJobs([delayed], plain, 'due', now).split('\n')).toEqual([
      'ID  QUEUE    TYPE   STATUS   PRIORITY  ATTEMPTS  DUE                  ERROR',
      'd1  default  email  delayed         0       0/3  2026-01-31 13:00:00',
      '',
    ]);
    expect(formatJobs([ready], plain, 'recent', now)).toContain('r1  default  email  pending');
    expect(formatJob(delayed, plain, now)).toContain('status    delayed\n');
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

  it('lists the failed attempts, oldest first, as --json has them', () => {
    const job = makeJob({
      status: 'failed',
      attempts: 2,
      error: 'SMTP 550',
      history: [
        { attempt: 1, outcome: 'retrying', error: 'connect ECONNREFUSED', at: new Date('2026-01-31T12:00:06Z') },
        { attempt: 2, outcome: 'failed', error: 'SMTP 550\nmailbox unknown', at: new Date('2026-01-31T12:00:11Z') },
      ],
    });
    const text = formatJob(job, plain);
    expect(text.endsWith([
      'failed attempts  #1  2026-01-31 12:00:06  retrying  connect ECONNREFUSED',
      '                 #2  2026-01-31 12:00:11  failed    SMTP 550 mailbox unknown',
      '',
    ].join('\n'))).toBe(true);
  });

  it('strips terminal control sequences from job-supplied text', () => {
    const job = makeJob({
      type: 'evil\u001b]0;title\u0007',
      error: 'no\u001b[2J way',
      history: [{ attempt: 1, outcome: 'failed', error: 'bad\u001b[31m red', at: new Date('2026-01-31T12:00:06Z') }],
    });
    expect(formatJob(job, plain)).not.toMatch(/\u001b/);
    expect(formatJobs([job], plain)).not.toMatch(/\u001b/);
    expect(formatJob(job, plain)).toContain('error            no way\n');
  });

  it('JSON is the job object', () => {
    expect(JSON.parse(jobJson(makeJob()))).toEqual(expect.objectContaining({ id: 'job-1', payload: { to: 'a@example.com' }, enteredAt: '2026-01-31T12:00:05.123Z' }));
  });
});
