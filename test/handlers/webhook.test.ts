import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookJobHandler, type WebhookResultData } from '../../src/handlers/index.js';
import { closedPort, makeContext, makeJob, startHttpServer, waitFor, type TestHttpServer } from './helpers.js';

const LONG_BODY = 'A'.repeat(500) + 'TAIL-BEYOND-500';

let server: TestHttpServer;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    switch (path) {
      case '/ok':
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ received: true }));
        return;
      case '/text':
        res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
        return;
      case '/big':
        res.writeHead(200, { 'content-type': 'application/json' }).end(`"${'x'.repeat(100_000)}"`);
        return;
      case '/408':
        res.writeHead(408).end('request timeout body');
        return;
      case '/429':
        res.writeHead(429, { 'retry-after': '7' }).end('slow down');
        return;
      case '/429-date':
        res.writeHead(429, { 'retry-after': new URL(req.url, 'http://x').searchParams.get('at') ?? '' }).end();
        return;
      case '/404':
        res.writeHead(404).end(LONG_BODY);
        return;
      case '/500':
        res.writeHead(500).end('database exploded');
        return;
      case '/destroy':
        res.socket?.destroy();
        return;
      case '/redirect':
        res.writeHead(302, { location: '/text' }).end();
        return;
      case '/slow':
        return; // never answered; the client must give up on its own
      default:
        res.writeHead(418).end('unknown test route');
    }
  });
});
afterAll(() => server.close());

async function run(payload: Record<string, unknown>, options = {}) {
  const { ctx } = makeContext();
  return webhookJobHandler(options).handle(ctx, makeJob('webhook', payload));
}

describe('webhookJobHandler: requests and success', () => {
  it('POSTs data as JSON by default and returns the status and parsed JSON body', async () => {
    const before = server.requests.length;
    const result = await run({ url: `${server.origin}/ok`, data: { orderId: 42, items: ['a'] } });
    expect(result).toEqual({ success: true, data: { status: 201, body: { received: true }, truncated: false } });
    const request = server.requests[before];
    expect(request?.method).toBe('POST');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body.toString() ?? '')).toEqual({ orderId: 42, items: ['a'] });
  });

  it('uses the payload method and headers and returns a text body as text', async () => {
    const before = server.requests.length;
    const result = await run({ url: `${server.origin}/text`, method: 'put', headers: { 'X-Tenant': 'acme' }, data: [1] });
    expect(result.success).toBe(true);
    expect((result.data as WebhookResultData).body).toBe('thanks');
    expect(server.requests[before]?.method).toBe('PUT');
    expect(server.requests[before]?.headers['x-tenant']).toBe('acme');
  });

  it('sends a GET without a body and keeps at most 64 KiB of a large response', async () => {
    const before = server.requests.length;
    const result = await run({ url: `${server.origin}/big`, method: 'GET' });
    const data = result.data as WebhookResultData;
    expect(result.success).toBe(true);
    expect(data.truncated).toBe(true);
    expect((data.body as string).length).toBe(64 * 1024);
    expect(server.requests[before]?.body.length).toBe(0);
  });

  it('follows a redirect, continuing a POST as a GET as browsers do', async () => {
    const before = server.requests.length;
    const result = await run({ url: `${server.origin}/redirect`, data: { a: 1 } });
    expect(result).toMatchObject({ success: true, data: { status: 200, body: 'thanks' } });
    expect(server.requests.slice(before).map((r) => `${r.method} ${r.url}`)).toEqual(['POST /redirect', 'GET /text']);
  });
});

describe('webhookJobHandler: failures', () => {
  it('retries 408 and 500, quoting the status and the body', async () => {
    const timeout = await run({ url: `${server.origin}/408` });
    expect(timeout.success).toBe(false);
    expect(timeout.retry).not.toBe(false);
    expect(timeout.error).toMatch(/408.*request timeout body/);
    const serverError = await run({ url: `${server.origin}/500` });
    expect(serverError.retry).not.toBe(false);
    expect(serverError.error).toContain(`webhook POST ${server.origin}/500 answered 500 Internal Server Error: database exploded`);
  });

  it('retries 429 and turns Retry-After seconds into retryAfter ms', async () => {
    const result = await run({ url: `${server.origin}/429` });
    expect(result).toMatchObject({ success: false, retryAfter: 7_000 });
    expect(result.retry).not.toBe(false);
  });

  it('reads an HTTP-date Retry-After and caps it at maxRetryAfter', async () => {
    const inTwoHours = new Date(Date.now() + 2 * 3_600_000).toUTCString();
    const capped = await run({ url: `${server.origin}/429-date?at=${encodeURIComponent(inTwoHours)}` });
    expect(capped.retryAfter).toBe(3_600_000);
    const inTenMinutes = new Date(Date.now() + 600_000).toUTCString();
    const uncapped = await run({ url: `${server.origin}/429-date?at=${encodeURIComponent(inTenMinutes)}` }, { maxRetryAfter: 86_400_000 });
    expect(uncapped.retryAfter).toBeGreaterThan(590_000);
    expect(uncapped.retryAfter).toBeLessThanOrEqual(600_000);
  });

  it('fails other 4xx for good with exactly the first 500 bytes of the body', async () => {
    const result = await run({ url: `${server.origin}/404` });
    expect(result.retry).toBe(false);
    expect(result.error).toContain('404');
    expect(result.error).toContain('A'.repeat(500));
    expect(result.error).not.toContain('TAIL');
  });

  it('retries when the server destroys the connection', async () => {
    const result = await run({ url: `${server.origin}/destroy` });
    expect(result.success).toBe(false);
    expect(result.retry).not.toBe(false);
    expect(result.error).toMatch(/failed: fetch failed/);
  });

  it('retries when nothing listens on the port, naming the cause', async () => {
    const result = await run({ url: `http://127.0.0.1:${await closedPort()}/` });
    expect(result.retry).not.toBe(false);
    expect(result.error).toContain('ECONNREFUSED');
  });

  it('gives up on a slow server after the configured timeout and retries later', async () => {
    const result = await run({ url: `${server.origin}/slow` }, { timeout: 200 });
    expect(result).toMatchObject({ success: false, error: `webhook POST ${server.origin}/slow timed out after 200 ms` });
    expect(result.retry).not.toBe(false);
  });

  it('stops mid-request when ctx.signal aborts, giving the reason', async () => {
    const { ctx, controller } = makeContext();
    const before = server.requests.length;
    const pending = webhookJobHandler().handle(ctx, makeJob('webhook', { url: `${server.origin}/slow` }));
    await waitFor(() => server.requests.length > before, 5_000, 'the request to reach the server');
    controller.abort(new Error('job cancelled'));
    const result = await pending;
    expect(result.success).toBe(false);
    expect(result.error).toContain('aborted: job cancelled');
  });

  it.each([
    [{}, 'payload.url is missing'],
    [{ url: 'not a url' }, 'payload.url is not a valid absolute URL'],
    [{ url: 'ftp://example.test/file' }, 'payload.url must use http or https, not ftp'],
    [{ url: 'http://127.0.0.1/', method: 'GET', data: { a: 1 } }, 'payload.data cannot be sent with GET'],
    [{ url: 'http://127.0.0.1/', method: 'TRACE' }, 'payload.method TRACE is not allowed'],
    [{ url: 'http://127.0.0.1/', headers: { 'bad header': 'x' } }, 'payload.headers'],
  ])('fails for good on an invalid payload %j', async (payload, message) => {
    const result = await run(payload);
    expect(result.success).toBe(false);
    expect(result.retry).toBe(false);
    expect(result.error).toContain(message);
  });
});
