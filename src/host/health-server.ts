import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The answer of a health check. */
export interface Health {
  ok: boolean;
  /** Why it is not ok (or a short status when it is). */
  reason: string;
}

/** What the listener serves. */
export interface HealthEndpoints {
  health(): Promise<Health>;
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** A running /healthz + /metrics listener. */
export interface HealthServer {
  /** `http://host:port` as bound (the real port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

async function answer(endpoints: HealthEndpoints, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://flexq').pathname;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { allow: 'GET, HEAD' }).end();
  } else if (path === '/healthz') {
    const health = await endpoints.health();
    response.writeHead(health.ok ? 200 : 503, { 'content-type': 'application/json' });
    response.end(`${JSON.stringify({ status: health.ok ? 'ok' : 'unavailable', reason: health.reason })}\n`);
  } else if (path === '/metrics') {
    const { contentType, body } = await endpoints.metrics();
    response.writeHead(200, { 'content-type': contentType }).end(body);
  } else {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
  }
}

/** Listens on `host:port` (0: any free port); resolves once bound, rejects when it cannot bind. */
export function startHealthServer(host: string, port: number, endpoints: HealthEndpoints): Promise<HealthServer> {
  const server = createServer((request, response) => {
    answer(endpoints, request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  // A scraper's keep-alive socket must not hold the process open after shutdown.
  server.keepAliveTimeout = 1_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.removeListener('error', reject);
      const bound = server.address() as AddressInfo;
      const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
      resolve({
        url: `http://${shown}:${bound.port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
