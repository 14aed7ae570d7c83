/** `flexq schedules`: every schedule of the configured queues, as a table and as JSON, payload secrets masked. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { deletePrefix, REDIS_URL, uniquePrefix } from '../helpers.js';
import { redisEnv, runFlexq, tempFolder } from './helpers.js';

describe('flexq schedules', () => {
  const prefix = uniquePrefix('exe-schedules');
  let dir: string;
  let remove: () => Promise<void>;
  let queue: RedisQueue;
  const flexq = (...args: string[]) => runFlexq(args, { env: redisEnv(prefix), cwd: dir });

  beforeAll(async () => {
    // The file's schedule is stored only by a starting host: none has run here.
    ({ dir, remove } = await tempFolder('[queues.default]\n[queues.other]\n[schedules.hourly]\nqueue = "other"\nevery = "1h"\ntype = "ping"\n'));
    queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix });
    await queue.schedule('nightly', { cron: '0 3 * * *', tz: 'Europe/Berlin' }, { type: 'report', payload: { apiKey: 'sk-live-secret' } });
    await queue.schedule('tick', { every: 60_000 }, { type: 'ping' });
    await queue.pauseSchedule('tick');
  });
  afterAll(async () => {
    await queue.close();
    await deletePrefix(prefix);
    await remove();
  });

  it('prints one row per schedule with timing, state and next run', async () => {
    const result = await flexq('schedules');
    expect(result.code).toBe(0);
    const [header, nightly, tick] = result.stdout.trim().split('\n');
    expect(header).toMatch(/^QUEUE\s+NAME\s+WHEN\s+TYPE\s+STATE\s+NEXT\s+LAST\s+SOURCE$/);
    expect(nightly).toMatch(/^default\s+nightly\s+0 3 \* \* \* \(Europe\/Berlin\)\s+report\s+active\s+\d{4}-\d\d-\d\d (01|02):00:00\s+-\s+code$/);
    expect(tick).toMatch(/^default\s+tick\s+every 1m00s\s+ping\s+paused\s+-\s+-\s+code$/);
  });

  it('--json carries every field, with secrets in payloads masked; --queue narrows it', async () => {
    const result = await flexq('schedules', '--json');
    const parsed = JSON.parse(result.stdout) as { queue: string; name: string; job: { payload: Record<string, unknown> }; nextRunAt: string }[];
    expect(parsed.map((s) => [s.queue, s.name])).toEqual([['default', 'nightly'], ['default', 'tick']]);
    expect(parsed[0]!.job.payload).toEqual({ apiKey: '[redacted]' });
    expect(result.stdout).not.toContain('sk-live-secret');
    expect(new Date(parsed[0]!.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    const other = await flexq('schedules', '--queue', 'other');
    expect(other.stdout).toBe('no schedules\n');
    expect(other.stderr).toBe('flexq: note: flexq.toml defines a schedule not stored in Redis yet: hourly (queue other); `flexq` or `flexq --headless` stores them when it starts\n');
  });
});
