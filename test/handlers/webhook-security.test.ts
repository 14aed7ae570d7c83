import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isNonPublicAddress, verifyWebhookSignature, webhookJobHandler, WEBHOOK_SIGNATURE_HEADER } from '../../src/handlers/index.js';
import { makeContext, makeJob, startHttpServer, type TestHttpServer } from './helpers.js';

let server: TestHttpServer;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    if (req.url.startsWith('/fail')) res.writeHead(500).end('nope');
    else res.writeHead(204).end();
  });
});
afterAll(() => server.close());

describe('webhook signing', () => {
  const secret = 'whsec-test-secret';

  it('signs the exact body so a receiver can verify it, and only with the right secret and body', async () => {
    const before = server.requests.length;
    const { ctx } = makeContext();
    const result = await webhookJobHandler({ signingSecret: secret }).handle(ctx, makeJob('webhook', { url: `${server.origin}/hook`, data: { event: 'paid', amount: 12.5 } }));
    expect(result.success).toBe(true);
    const received = server.requests[before];
    const header = received?.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()];
    expect(typeof header).toBe('string');
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const body = received?.body ?? Buffer.alloc(0);
    expect(verifyWebhookSignature(secret, header as string, body)).toBe(true);
    expect(verifyWebhookSignature(secret, header as string, body.toString('utf8'))).toBe(true);
    expect(verifyWebhookSignature('other-secret', header as string, body)).toBe(false);
    expect(verifyWebhookSignature(secret, header as string, body.toString().replace('12.5', '125'))).toBe(false);
  });

  it('rejects a signature outside the tolerance window, and malformed headers', async () => {
    const before = server.requests.length;
    const { ctx } = makeContext();
    await webhookJobHandler({ signingSecret: secret }).handle(ctx, makeJob('webhook', { url: `${server.origin}/hook`, data: 'x' }));
    const header = server.requests[before]?.headers['x-flexq-signature'] as string;
    const body = server.requests[before]?.body ?? Buffer.alloc(0);
    expect(verifyWebhookSignature(secret, header, body, 300, Date.now() + 301_000)).toBe(false);
    expect(verifyWebhookSignature(secret, header, body, 600, Date.now() + 301_000)).toBe(true);
    for (const bad of [undefined, '', 'v1=abc', 't=123', 't=abc,v1=00', `t=1,v1=${'0'.repeat(10)}`]) {
      expect(verifyWebhookSignature(secret, bad, body)).toBe(false);
    }
  });
});

describe('private-address guard', () => {
  it('refuses a loopback URL for good when on, naming the address, and sends nothing', async () => {
    const before = server.requests.length;
    const { ctx } = makeContext();
    const result = await webhookJobHandler({ blockPrivateAddresses: true }).handle(ctx, makeJob('webhook', { url: `${server.origin}/hook` }));
    expect(result).toMatchObject({ success: false, retry: false });
    expect(result.error).toContain('127.0.0.1');
    expect(server.requests.length).toBe(before);
  });

  it('judges the addresses a host name resolves to, not the name', async () => {
    const { ctx } = makeContext();
    const port = new URL(server.origin).port;
    const result = await webhookJobHandler({ blockPrivateAddresses: true }).handle(ctx, makeJob('webhook', { url: `http://localhost:${port}/hook` }));
    expect(result.retry).toBe(false);
    expect(result.error).toMatch(/host localhost resolves to (127\.0\.0\.1|::1)/);
  });

  it('allows the same loopback URL when off (the library default)', async () => {
    const { ctx } = makeContext();
    const result = await webhookJobHandler().handle(ctx, makeJob('webhook', { url: `${server.origin}/hook` }));
    expect(result).toMatchObject({ success: true, data: { status: 204 } });
  });

  it.each(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::', '::1', 'fd12:3456::1', 'fe80::1', '::ffff:10.0.0.1', '64:ff9b::a00:1'])(
    'classifies %s as non-public',
    (address) => expect(isNonPublicAddress(address)).toBe(true),
  );

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '2606:4700:4700::1111', '64:ff9b::808:808'])('classifies %s as public', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });
});

describe('secrets in logs', () => {
  it('logs the request and response without header secrets, the signing secret or URL query values', async () => {
    const { ctx, logText } = makeContext('debug');
    const secrets = ['tok-SECRET-1', 'sid=SECRET-2', 'SECRET-3', 'SECRET-4-signing', 'SECRET-5-query', 'SECRET-6-custom'];
    const handler = webhookJobHandler({ signingSecret: secrets[3], headers: { 'X-Shop-Access-Token': secrets[5] as string } });
    const payload = {
      url: `${server.origin}/fail?token=${secrets[4]}`,
      headers: { Authorization: `Bearer ${secrets[0]}`, Cookie: secrets[1], 'X-Api-Key': secrets[2], 'X-Request-Id': 'visible-id' },
      data: { hello: 'world' },
    };
    const result = await handler.handle(ctx, makeJob('webhook', payload));
    const logs = logText();
    expect(logs).toContain('webhook request');
    expect(logs).toContain('visible-id'); // harmless headers stay readable
    expect(logs).toContain('[redacted]');
    expect(logs).toContain('"jobId":"job-1"');
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(result.error).not.toContain(secret);
    }
    expect(result.error).toContain('token=[redacted]');
  });
});
