import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeUrl } from '../../src/handlers/http-support.js';
import { signWebhookRequest, verifyWebhookSignature, webhookJobHandler, WEBHOOK_SIGNATURE_HEADER } from '../../src/handlers/index.js';
import { makeContext, makeJob, startHttpServer, type RecordedRequest, type TestHttpServer } from './helpers.js';

let server: TestHttpServer;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/fail')) res.writeHead(500).end('nope');
    else if (url.pathname === '/moved') res.writeHead(307, { location: '/landing?v=2' }).end();
    else res.writeHead(204).end();
  });
});
afterAll(() => server.close());

const secret = 'whsec-test-secret';
const signatureOf = (request: RecordedRequest | undefined) => request?.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string;
/** The request as its receiver reconstructs it: method, the URL the sender used, raw body. */
const asReceived = (request: RecordedRequest | undefined) => ({
  method: request?.method ?? '',
  url: `${server.origin}${request?.url ?? ''}`,
  body: request?.body ?? Buffer.alloc(0),
});

describe('webhook signing', () => {
  it('signs method, URL, timestamp and body: changing any of them breaks the signature', async () => {
    const before = server.requests.length;
    const { ctx } = makeContext();
    const result = await webhookJobHandler({ signingSecret: secret }).handle(ctx, makeJob('webhook', { url: `${server.origin}/hook?a=1`, data: { amount: 12.5 } }));
    expect(result.success).toBe(true);
    const received = server.requests[before];
    const header = signatureOf(received);
    expect(header).toMatch(/^t=\d+,v2=[0-9a-f]{64}$/);
    const request = asReceived(received);
    expect(verifyWebhookSignature(secret, header, request)).toBe(true);
    expect(verifyWebhookSignature(secret, header, { ...request, body: request.body.toString('utf8') })).toBe(true);
    expect(verifyWebhookSignature(secret, header, { ...request, method: 'post' })).toBe(true); // methods are case-insensitive
    expect(verifyWebhookSignature('other-secret', header, request)).toBe(false);
    expect(verifyWebhookSignature(secret, header, { ...request, body: request.body.toString().replace('12.5', '125') })).toBe(false);
    expect(verifyWebhookSignature(secret, header, { ...request, method: 'PUT' })).toBe(false);
    expect(verifyWebhookSignature(secret, header, { ...request, url: `${server.origin}/other?a=1` })).toBe(false);
    expect(verifyWebhookSignature(secret, header, { ...request, url: `${server.origin}/hook?a=2` })).toBe(false);
    const [t, v2] = header.split(',');
    const otherTime = `t=${Number(t?.slice(2)) - 1},${v2}`;
    expect(verifyWebhookSignature(secret, otherTime, request)).toBe(false);
  });

  it('matches the documented signed string: HMAC-SHA256 of "<t>\\n<METHOD>\\n<url>\\n<body>"', async () => {
    const { createHmac } = await import('node:crypto');
    const now = 1_700_000_000_000;
    const header = signWebhookRequest(secret, { method: 'post', url: 'https://example.com/h?x=1', body: '{"a":1}' }, now);
    const expected = createHmac('sha256', secret).update('1700000000\nPOST\nhttps://example.com/h?x=1\n{"a":1}').digest('hex');
    expect(header).toBe(`t=1700000000,v2=${expected}`);
  });

  it('rejects a signature outside the tolerance window, and malformed headers', () => {
    const now = 1_700_000_000_000; // a whole second, so tolerance 0 accepts it at that very second
    const request = { method: 'POST', url: 'https://example.com/h', body: 'x' };
    const header = signWebhookRequest(secret, request, now);
    expect(verifyWebhookSignature(secret, header, request, 300, now + 301_000)).toBe(false);
    expect(verifyWebhookSignature(secret, header, request, 300, now - 301_000)).toBe(false);
    expect(verifyWebhookSignature(secret, header, request, 600, now + 301_000)).toBe(true);
    expect(verifyWebhookSignature(secret, header, request, 0, now)).toBe(true);
    for (const bad of [undefined, null, '', 'v2=abc', 't=123', 't=abc,v2=00', `t=1,v2=${'0'.repeat(10)}`, header.replace('v2=', 'v1=')]) {
      expect(verifyWebhookSignature(secret, bad, request), String(bad)).toBe(false);
    }
  });

  it.each([NaN, -1, Infinity, -Infinity])('throws a clear error for tolerance %s instead of accepting everything', (tolerance) => {
    const request = { method: 'POST', url: 'https://example.com/h', body: 'x' };
    const header = signWebhookRequest(secret, request);
    expect(() => verifyWebhookSignature(secret, header, request, tolerance)).toThrow(/toleranceSec must be a finite number of seconds ≥ 0/);
  });

  it('throws a clear error for an empty secret, when signing, verifying or creating the handler', () => {
    const request = { method: 'POST', url: 'https://example.com/h', body: 'x' };
    expect(() => verifyWebhookSignature('', 't=1,v2=00', request)).toThrow('the signing secret must be a non-empty string');
    expect(() => signWebhookRequest('', request)).toThrow('the signing secret must be a non-empty string');
    expect(() => webhookJobHandler({ signingSecret: '' })).toThrow('signingSecret must be a non-empty string');
  });

  it('re-signs each hop of a same-origin redirect for its own method and URL', async () => {
    const before = server.requests.length;
    const { ctx } = makeContext();
    const result = await webhookJobHandler({ signingSecret: secret }).handle(ctx, makeJob('webhook', { url: `${server.origin}/moved`, data: { n: 1 } }));
    expect(result.success).toBe(true);
    const [first, second] = server.requests.slice(before);
    expect(second?.url).toBe('/landing?v=2');
    expect(verifyWebhookSignature(secret, signatureOf(first), asReceived(first))).toBe(true);
    expect(verifyWebhookSignature(secret, signatureOf(second), asReceived(second))).toBe(true);
  });
});

describe('cross-origin redirects', () => {
  /** A server on another port (another origin) that records what reaches it, and a bouncer that redirects to it. */
  async function bouncerTo(status: number) {
    const other = await startHttpServer((_req, res) => res.writeHead(200).end('other'));
    const bouncer = await startHttpServer((_req, res) => res.writeHead(status, { location: `${other.origin}/landing` }).end());
    return { other, bouncer, close: () => Promise.all([other.close(), bouncer.close()]) };
  }
  const sensitive = {
    Authorization: 'Bearer only-for-bouncer',
    Cookie: 'sid=only-for-bouncer',
    'X-Custom-Key': 'only-for-bouncer',
    'X-Tenant': 'acme',
    Accept: 'application/json',
  };

  it('keeps only the safe headers and drops the signature and the body when a redirect leaves the origin', async () => {
    const { other, bouncer, close } = await bouncerTo(302);
    try {
      const { ctx } = makeContext();
      const handler = webhookJobHandler({ signingSecret: secret });
      const result = await handler.handle(ctx, makeJob('webhook', { url: `${bouncer.origin}/`, headers: sensitive, data: { card: '4111' } }));
      expect(result.success).toBe(true);
      expect(bouncer.requests[0]?.headers['x-custom-key']).toBe('only-for-bouncer');
      const landed = other.requests[0];
      expect(landed?.method).toBe('GET');
      expect(landed?.body.length).toBe(0);
      expect(Object.keys(landed?.headers ?? {}).filter((name) => !['host', 'connection', 'sec-fetch-mode', 'accept-language'].includes(name)).sort())
        .toEqual(['accept', 'accept-encoding', 'user-agent']);
      expect(landed?.headers.accept).toBe('application/json');
      expect(JSON.stringify(landed?.headers)).not.toContain('only-for-bouncer');
    } finally {
      await close();
    }
  });

  it.each([307, 308])('refuses a %i redirect that would resend the body to another origin, for good', async (status) => {
    const { other, bouncer, close } = await bouncerTo(status);
    try {
      const { ctx } = makeContext();
      const result = await webhookJobHandler().handle(ctx, makeJob('webhook', { url: `${bouncer.origin}/`, headers: sensitive, data: { card: '4111' } }));
      expect(result).toMatchObject({ success: false, retry: false });
      expect(result.error).toContain(`refused to resend the body to another origin (${other.origin}/landing) on a ${status} redirect`);
      expect(other.requests).toHaveLength(0);
    } finally {
      await close();
    }
  });
});

describe('redirects that cannot be followed', () => {
  it.each([
    ['a URL with credentials', 'http://bob:pw-SECRET@127.0.0.1:1/x', 'redirected to a URL that carries credentials'],
    ['another protocol', 'file:///etc/passwd', 'redirected to unsupported protocol file'],
  ])('refuses a redirect to %s for good', async (_what, location, message) => {
    const bouncer = await startHttpServer((_req, res) => res.writeHead(302, { location }).end());
    try {
      const { ctx } = makeContext();
      const result = await webhookJobHandler().handle(ctx, makeJob('webhook', { url: `${bouncer.origin}/` }));
      expect(result).toMatchObject({ success: false, retry: false });
      expect(result.error).toContain(message);
      expect(result.error).not.toContain('pw-SECRET');
    } finally {
      await bouncer.close();
    }
  });
});

describe('secrets in URLs, logs and errors', () => {
  it('refuses a URL with credentials for good, naming neither the user nor the password, and sends nothing', async () => {
    const before = server.requests.length;
    const { ctx, logText } = makeContext('debug');
    const host = server.origin.replace('http://', '');
    const result = await webhookJobHandler().handle(ctx, makeJob('webhook', { url: `http://alice-USER:pa55-SECRET@${host}/hook` }));
    expect(result).toMatchObject({ success: false, retry: false });
    expect(result.error).toContain('payload.url must not carry credentials');
    for (const text of [result.error ?? '', logText()]) {
      expect(text).not.toContain('pa55-SECRET');
      expect(text).not.toContain('alice-USER');
    }
    expect(server.requests.length).toBe(before);
  });

  it('masks query values and token-like path segments in printed URLs', () => {
    const masked = describeUrl(new URL('https://u:p@hooks.example.com/services/T0123/B0456/aB3dE5gH7jK9mN1pQ3sT5vW7?token=abc&id=1&id=2'));
    expect(masked).toBe('https://[redacted]@hooks.example.com/services/T0123/B0456/[redacted]?token=[redacted]&id=[redacted]');
    expect(describeUrl(new URL('https://discord.example/api/webhooks/123456789012345678/' + 'x'.repeat(68))))
      .toBe('https://discord.example/api/webhooks/123456789012345678/[redacted]');
    expect(describeUrl(new URL('https://example.com/v1/orders/created'))).toBe('https://example.com/v1/orders/created');
  });

  it('logs the request and response without header secrets, the signing secret, path tokens or URL query values', async () => {
    const { ctx, logText } = makeContext('debug');
    const secrets = ['tok-SECRET-1', 'sid=SECRET-2', 'SECRET-3', 'SECRET-4-signing', 'SECRET-5-query', 'SECRET-6-custom', 'Zx9SECRET7pathTOKEN0q'];
    const handler = webhookJobHandler({ signingSecret: secrets[3], headers: { 'X-Shop-Access-Token': secrets[5] as string } });
    const payload = {
      url: `${server.origin}/fail/${secrets[6]}?token=${secrets[4]}`,
      headers: { Authorization: `Bearer ${secrets[0]}`, Cookie: secrets[1], 'X-Api-Key': secrets[2], 'X-Request-Id': 'visible-id' },
      data: { hello: 'world' },
    };
    const result = await handler.handle(ctx, makeJob('webhook', payload));
    const logs = logText();
    expect(logs).toContain('webhook request');
    expect(logs).toContain('visible-id'); // harmless headers stay readable
    expect(logs).toContain('"jobId":"job-1"');
    for (const secret of secrets) {
      expect(logs).not.toContain(secret);
      expect(result.error).not.toContain(secret);
    }
    expect(result.error).toContain('/fail/[redacted]?token=[redacted]');
  });
});
