/** `flexq console` without a flexq.toml: only the queues used under the prefix, and those first used while it runs. */
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { tmpdir } from 'node:os';
import { RedisQueue } from '../../src/index.js';
import { openConsole } from '../../src/tui/index.js';
import { WorkerHost } from '../../src/host/worker-host.js';
import { redisForHost } from '../../src/config/redis-target.js';
import { parse } from '../host/config-helpers.js';
import { FakeStdin, FakeStdout } from './fake-terminal.js';
import { REDIS_URL, deletePrefix, uniquePrefix, waitFor } from '../helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const plain = (frame: string) => frame.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

describe('a console showing every queue used under the prefix', () => {
  it('starts with none on an empty prefix, and lists each queue within seconds of its first use', async () => {
    const prefix = uniquePrefix('tui-discovery');
    cleanups.push(() => deletePrefix(prefix));
    // `flexq console --redis URL` where there is no flexq.toml: the built-in sample's queue is no queue of this Redis.
    const config = { ...parse(`[redis]\nurl = "${REDIS_URL}"\nprefix = "${prefix}"\n[queues.default]\n[metrics]\nenabled = false\n`), configFile: null };
    const host = await WorkerHost.start({ config, mode: 'console', target: await redisForHost(config, {}, tmpdir()), logger: pino({ level: 'silent' }), noWorkers: true });
    cleanups.push(() => host.stop(100));
    const stdout = new FakeStdout(100, 24);
    const stdin = new FakeStdin();
    const closed = openConsole(host, {
      readOnly: false, noColor: true, dataSource: { pollMs: 100, queuesMs: 500 }, debug: true, patchConsole: false,
      stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream,
    });
    cleanups.push(async () => { stdin.write('q'); await closed; });
    const frame = (check: (f: string) => boolean, what: string) =>
      waitFor(what, () => (check(plain(stdout.lastFrame())) ? plain(stdout.lastFrame()) : null), { timeoutMs: 5_000, intervalMs: 20 })
        .catch((err: Error) => { throw new Error(`${err.message}\n--- last frame ---\n${plain(stdout.lastFrame())}`); });

    const empty = await frame((f) => f.includes('no queue used under this prefix yet'), 'no queue, said so');
    expect(empty).not.toMatch(/^default /m);
    expect(empty).not.toMatch(/Enter open|p pause/); // no key that needs a queue is offered

    const producer = await RedisQueue.connect('work', { url: REDIS_URL, prefix });
    cleanups.push(() => producer.close());
    const job = await producer.push({ type: 'first' });
    await frame((f) => /^work\s+running\s+1\s/m.test(f) && f.includes(job.id), 'the queue work, first used after the console opened, with its job');
    await producer.queue('other').push({ type: 'later' });
    const both = await frame((f) => /^other\s+running\s+1\s/m.test(f), 'the queue other too');
    expect(both).toMatch(/^work\s+running\s+1\s/m);
  });
});
