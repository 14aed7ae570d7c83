import { afterEach, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '../../src/handlers/index.js';
import { startHttpServer, type TestHttpServer } from '../handlers/helpers.js';
import { deletePrefix, uniquePrefix } from '../helpers.js';
import { printedResult, runExample } from './helpers.js';

describe('examples/webhook-delivery', { timeout: 60_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  function isolatedPrefix(): string {
    const prefix = uniquePrefix('ex-webhook');
    cleanups.push(() => deletePrefix(prefix));
    return prefix;
  }

  /** A receiver that answers its first request 503 and the later ones 200, like the example's own. */
  async function flakyReceiver(): Promise<TestHttpServer> {
    const server = await startHttpServer((_req, res) => {
      if (server.requests.length === 1) res.writeHead(503, { 'Retry-After': '1' }).end('deploying');
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    });
    cleanups.push(() => server.close());
    return server;
  }

  it('signs the delivery and succeeds on the retry after a 503', async () => {
    const secret = `test-secret-${uniquePrefix()}`;
    const receiver = await flakyReceiver();
    const run = await runExample('webhook-delivery', {
      FLEXQ_REDIS_PREFIX: isolatedPrefix(), FLEXQ_WEBHOOK_SECRET: secret, WEBHOOK_URL: `${receiver.origin}/hooks/users`,
    });
    expect(run.code, run.output).toBe(0);

    expect(receiver.requests).toHaveLength(2);
    for (const request of receiver.requests) {
      expect(request).toMatchObject({ method: 'POST', url: '/hooks/users' });
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-event-type']).toBe('user.registered');
      expect(verifyWebhookSignature(secret, request.headers['x-flexq-signature'] as string, { method: request.method, url: `${receiver.origin}${request.url}`, body: request.body })).toBe(true);
      expect(JSON.parse(request.body.toString('utf8'))).toMatchObject({ event: 'user.registered', userId: 'user-42' });
    }
    // The retry sends the very same event.
    expect(receiver.requests[1]?.body.equals(receiver.requests[0]?.body ?? Buffer.alloc(0))).toBe(true);
    const { attempts, result } = printedResult(run);
    expect(attempts).toBe(2);
    expect(result).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('fails for good when the receiver rejects the signature', async () => {
    const receiver = await startHttpServer((req, res) => {
      const valid = verifyWebhookSignature('the-receivers-secret', req.headers['x-flexq-signature'] as string, { method: req.method, url: `http://${req.headers.host}${req.url}`, body: req.body });
      res.writeHead(valid ? 200 : 401).end(valid ? 'ok' : 'bad signature');
    });
    cleanups.push(() => receiver.close());
    const run = await runExample('webhook-delivery', {
      FLEXQ_REDIS_PREFIX: isolatedPrefix(), FLEXQ_WEBHOOK_SECRET: 'another-secret', WEBHOOK_URL: receiver.origin,
    });
    expect(run.code, run.output).toBe(1);
    expect(receiver.requests).toHaveLength(1);
    expect(run.stderr).toMatch(/job \S+ failed after 1 attempt\(s\): .*answered 401.*bad signature/);
  });

  it('runs against its own verifying receiver when no WEBHOOK_URL is given', async () => {
    const run = await runExample('webhook-delivery', { FLEXQ_REDIS_PREFIX: isolatedPrefix() });
    expect(run.code, run.output).toBe(0);
    const receiverLines = run.stdout.split('\n').filter((line) => line.startsWith('receiver:'));
    expect(receiverLines).toEqual([
      'receiver: delivery 1, signature verified, answering 503',
      'receiver: delivery 2, signature verified, answering 200',
    ]);
    expect(printedResult(run)).toMatchObject({ attempts: 2, result: { status: 200, body: { received: true } } });
  });
});
