/**
 * Canary secrets planted everywhere a secret can enter flexq (nested payload keys, a handler's
 * error, a webhook URL's query string and a server's echo of its headers, a result, the Redis,
 * SMTP and webhook-signing credentials), then every output collected: the console's jobs, detail,
 * log tail and search (in process, on the real host and its log ring at level trace), the headless
 * host's stdout at trace, and `flexq jobs`, `show`, `stats`, `doctor` (plain and --json), plus the
 * errors of a malformed Redis URL. No output may contain a canary. Every canary starts with
 * `cnry`, so even a value the console cut short still shows.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { loadConfig } from '../../src/config/config.js';
import { createHostLogger } from '../../src/host/logger.js';
import { redisForHost } from '../../src/config/redis-target.js';
import { WorkerHost } from '../../src/host/worker-host.js';
import { ConsoleDataSource } from '../../src/tui/data-source.js';
import { ConsoleRoot } from '../../src/tui/index.js';
import { createConsoleStore } from '../../src/tui/store.js';
import { FlexqProcess, childEnv, freePort, runFlexq, tempFolder } from '../exe/helpers.js';
import { uniquePrefix, waitFor } from '../helpers.js';

const CANARY = /cnry/i;
const REDIS_PASSWORD = 'cnry-redis-pw-7f3a';
const SMTP_PASSWORD = 'cnry-smtp-pw-19bd';
const SIGNING_SECRET = 'cnry-signing-secret-55aa';

/** A payload with a canary under every kind of secret key, nested and in arrays. */
function secretPayload(tag: string): Record<string, unknown> {
  return {
    data: { user: { name: 'ann', password: `cnry-${tag}-password` } },
    card: { cvv: `cnry-${tag}-cvv` }, // masked only because flexq.toml's redact names it
    items: [{ id: 1, token: `cnry-${tag}-item-token` }, { id: 2, token: `cnry-${tag}-item-token2` }],
    headers: { Authorization: `Bearer cnry-${tag}-auth`, 'X-Api-Key': `cnry-${tag}-xapikey`, Cookie: `sid=cnry-${tag}-cookie` },
    apiKey: `cnry-${tag}-apikey`,
    api_key: `cnry-${tag}-api_key`,
    bearerToken: `cnry-${tag}-handler-bearer`,
  };
}

/** A handler that logs the payload at trace and debug, then fails quoting a bearer token, or succeeds with a secret result. */
const LEAKY_HANDLER = `
export default async function leaky(ctx, job) {
  ctx.logger.trace({ payload: job.payload }, 'leaky got its payload');
  ctx.logger.debug('leaky payload text ' + JSON.stringify(job.payload));
  if (job.payload.mode === 'succeed') return { success: true, data: { token: 'cnry-result-token', note: 'Bearer cnry-result-bearer' } };
  return { success: false, retry: false, error: 'upstream refused: Authorization: Bearer ' + job.payload.bearerToken + ' (and Bearer ' + job.payload.bearerToken + ')' };
}
`;

/** A webhook receiver that answers 401, echoing the credentials it was sent, as real servers do. */
async function startEchoServer(): Promise<{ server: Server; url: string; seen: IncomingMessage['headers'][] }> {
  const seen: IncomingMessage['headers'][] = [];
  const server = createServer((request, response) => {
    seen.push(request.headers);
    response.writeHead(401, { 'content-type': 'application/json' });
    response.end(JSON.stringify({
      error: 'unauthorized',
      seen: { authorization: request.headers.authorization, 'x-api-key': request.headers['x-api-key'], cookie: request.headers.cookie },
      url: request.url,
    }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, url: `http://127.0.0.1:${address.port}`, seen };
}

/** A private redis-server that wants a password; stopped by pid. */
async function startPasswordRedis(): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--requirepass', REDIS_PASSWORD], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor('password redis-server', async () => {
    const client = new Redis({ host: '127.0.0.1', port, password: REDIS_PASSWORD, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined); // refused while the server starts: connect() says so
    try {
      await client.connect();
      return (await client.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  }, { timeoutMs: 10_000, intervalMs: 50 });
  return { port, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

describe('canary secrets never reach any output', () => {
  const outputs: { what: string; text: string }[] = [];
  const collect = (what: string, text: string) => outputs.push({ what, text });
  let redis: Awaited<ReturnType<typeof startPasswordRedis>>;
  let echo: Awaited<ReturnType<typeof startEchoServer>>;
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let queue: RedisQueue;
  let env: Record<string, string>;
  const prefix = uniquePrefix('canary');
  const redisUrl = () => `redis://:${REDIS_PASSWORD}@127.0.0.1:${redis.port}`;

  /** Dispatches one job of each kind; resolves to their ids once the runnable ones have finished. */
  async function dispatchAll(tag: string): Promise<string[]> {
    const jobs = [
      await queue.push({ type: 'leaky', payload: secretPayload(tag), maxAttempts: 1 }),
      await queue.push({ type: 'leaky', payload: { ...secretPayload(`${tag}-ok`), mode: 'succeed' }, maxAttempts: 1 }),
      await queue.push({
        type: 'webhook', maxAttempts: 1,
        payload: { url: `${echo.url}/hook?token=cnry-${tag}-url-token&id=7`, headers: secretPayload(tag)['headers'], data: { password: `cnry-${tag}-data` } },
      }),
      await queue.push({ type: 'email', maxAttempts: 1, payload: { to: 'a@example.com', subject: 's', body: `token=cnry-${tag}-body` } }),
    ];
    const delayed = await queue.pushDelayed({ type: 'leaky', payload: secretPayload(`${tag}-later`) }, 3_600_000);
    await waitFor(`the ${tag} jobs to finish`, async () => {
      const states = await Promise.all(jobs.map((job) => queue.getJobStatus(job.id)));
      return states.every((state) => state === 'failed' || state === 'completed');
    }, { timeoutMs: 20_000, intervalMs: 50 });
    return [...jobs.map((job) => job.id), delayed.id];
  }

  beforeAll(async () => {
    redis = await startPasswordRedis();
    echo = await startEchoServer();
    const smtpPort = await freePort(); // nothing listens: the email built-in fails to connect
    folder = await tempFolder(`
redact = ["cvv"]
[redis]
url = "${redisUrl()}"
prefix = "${prefix}"
[queues.default]
concurrency = 2
pollTime = "100ms"
[handlers.leaky]
module = "./leaky.mjs"
[handlers.webhook]
builtin = "webhook"
[handlers.email]
builtin = "email"
[smtp]
host = "127.0.0.1"
port = ${smtpPort}
username = "flexq"
password = "${SMTP_PASSWORD}"
[webhook]
timeout = "3s"
allowAddresses = ["127.0.0.1/32"]
[logging]
level = "trace"
[metrics]
enabled = false
`);
    await writeFile(join(folder.dir, 'leaky.mjs'), LEAKY_HANDLER);
    env = childEnv({ FLEXQ_WEBHOOK_SECRET: SIGNING_SECRET });
    queue = await RedisQueue.connect('default', { url: redisUrl(), prefix });
  }, 30_000);

  afterAll(async () => {
    await queue?.close();
    await new Promise((resolve) => echo?.server.close(resolve));
    await redis?.stop();
    await folder?.remove();
  });

  it('in the console: jobs, detail, log tail and search, on the real host at trace', async () => {
    const config = await loadConfig({ cwd: folder.dir, env });
    const { logger, ring, flush } = createHostLogger(config.logging, 'console', config.redact);
    const target = await redisForHost(config, env, folder.dir);
    const host = await WorkerHost.start({ config, mode: 'console', target, logger, logs: ring! });
    const store = createConsoleStore({ address: host.redisAddress, queues: ['default'], readOnly: false });
    const source = new ConsoleDataSource(host, store, { pollMs: 100, redact: config.redact });
    const ink = render(createElement(ConsoleRoot, { store, commands: source.commands, view: host, redact: config.redact, noColor: true }));
    try {
      await source.start();
      const ids = await dispatchAll('console');
      const frame = async (what: string, check: (text: string) => boolean) => {
        const text = await waitFor(what, () => { const f = ink.lastFrame() ?? ''; return check(f) ? f : null; }, { timeoutMs: 8_000, intervalMs: 20 });
        collect(`console ${what}`, text);
      };
      for (const tab of ['failed', 'completed', 'delayed'] as const) {
        store.getState().selectTab(tab);
        store.getState().open('jobs');
        await frame(`${tab} tab`, (f) => ids.some((id) => f.includes(id)));
        collect(`store page ${tab}`, JSON.stringify(store.getState().page));
      }
      for (const id of ids) {
        store.getState().openDetail('default', id);
        await frame(`detail of ${id}`, (f) => f.includes('payload'));
        collect(`store detail ${id}`, JSON.stringify(store.getState().detail));
        store.getState().back();
      }
      store.getState().open('logs');
      await frame('log tail', (f) => f.includes('job'));
      collect('log ring', JSON.stringify(ring!.lines()));
      expect(ring!.lines().some((line) => line.msg === 'leaky got its payload'), 'trace lines reach the ring').toBe(true);
      // Search matches what is shown: a masked secret finds nothing, in any tab.
      for (const tab of ['failed', 'completed', 'delayed'] as const) {
        store.getState().selectTab(tab);
        store.setState({ search: { query: 'cnry', results: null, scanned: 0 }, view: 'jobs' });
        const results = await waitFor(`search in ${tab}`, () => store.getState().search?.results ?? null, { timeoutMs: 8_000 });
        expect(results, `search for a masked secret in ${tab}`).toEqual([]);
        expect(store.getState().search?.scanned).toBeGreaterThan(0);
        store.getState().clearSearch();
      }
    } finally {
      ink.unmount();
      await source.stop();
      await host.stop(1_000);
      flush();
    }
    expect(echo.seen.some((headers) => String(headers.authorization).startsWith('Bearer cnry')), 'the webhook really sent its credentials').toBe(true);
  }, 60_000);

  it('in the headless host at trace and every CLI command', async () => {
    const host = new FlexqProcess(['--headless'], { env, cwd: folder.dir });
    const reachedBefore = echo.seen.length;
    let ids: string[];
    try {
      await host.waitForLog(/flexq running/);
      ids = await dispatchAll('headless');
      await host.waitForLog(/job (failed|completed)/);
    } finally {
      host.signal('SIGTERM');
      await host.exited;
    }
    // --headless blocks private addresses; [webhook] allowAddresses let this one through.
    expect(echo.seen.length, `webhook blocked? ${host.stdout.slice(-2000)}`).toBeGreaterThan(reachedBefore);
    collect('headless stdout', host.stdout);
    collect('headless stderr', host.stderr);
    expect(host.logLines().some((line) => line['msg'] === 'leaky got its payload'), 'trace lines were written').toBe(true);

    const run = async (...args: string[]) => {
      const result = await runFlexq(args, { env, cwd: folder.dir });
      collect(`flexq ${args.join(' ')}`, `${result.stdout}\n${result.stderr}`);
      return result;
    };
    const listing = await run('jobs', '--json');
    expect(listing.code).toBe(0);
    expect(listing.stdout).toContain('[redacted]');
    await run('jobs');
    await run('jobs', 'failed');
    await run('jobs', 'completed', '--json');
    for (const id of ids) {
      expect((await run('show', id)).code).toBe(0);
      await run('show', id, '--json');
    }
    await run('stats');
    await run('stats', '--json');
    await run('doctor');
    await run('doctor', '--json');
    await run('dispatch', 'leaky', JSON.stringify(secretPayload('cli')), '--delay', '1h');

    // A malformed URL in the environment and in the file is quoted back without its password.
    const badEnv = await runFlexq(['stats'], { env: { ...env, FLEXQ_REDIS_URL: `redis://:cnry-env-pw@127.0.0.1:notaport` }, cwd: folder.dir });
    expect(badEnv.code).not.toBe(0);
    expect(badEnv.stderr).toContain('FLEXQ_REDIS_URL');
    collect('malformed FLEXQ_REDIS_URL', badEnv.stderr + badEnv.stdout);
    await writeFile(join(folder.dir, 'bad.toml'), `[redis]\nurl = "redis://:cnry-file-pw@127.0.0.1:notaport"\n`);
    const badFile = await runFlexq(['stats', '--config', 'bad.toml'], { env, cwd: folder.dir });
    expect(badFile.code).not.toBe(0);
    collect('malformed [redis] url', badFile.stderr + badFile.stdout);
    await writeFile(join(folder.dir, 'broken.toml'), `[redis]\nurl = "redis://:cnry-toml-pw@127.0.0.1:6379\n`);
    const broken = await runFlexq(['stats', '--config', 'broken.toml'], { env, cwd: folder.dir });
    expect(broken.code).not.toBe(0);
    collect('unterminated [redis] url', broken.stderr + broken.stdout);
  }, 150_000);

  it('left no canary in any output', () => {
    expect(outputs.length).toBeGreaterThan(20);
    const leaks = outputs.filter(({ text }) => CANARY.test(text))
      .map(({ what, text }) => `${what}: …${text.slice(Math.max(0, text.search(CANARY) - 120), text.search(CANARY) + 60)}…`);
    expect(leaks).toEqual([]);
    for (const secret of [REDIS_PASSWORD, SMTP_PASSWORD, SIGNING_SECRET]) {
      expect(outputs.some(({ text }) => text.includes(secret))).toBe(false);
    }
  });
});
