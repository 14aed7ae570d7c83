import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { Job, JobContext } from '../../src/engine/types.js';

/** A JobContext with a real AbortController and a real pino logger writing into memory. */
export interface TestContext {
  ctx: JobContext;
  controller: AbortController;
  /** Every log line written so far, as raw JSON text. */
  logText(): string;
}

export function makeContext(level: pino.Level = 'debug'): TestContext {
  const controller = new AbortController();
  const lines: string[] = [];
  const logger = pino({ level }, { write: (line: string) => void lines.push(line) }).child({ jobId: 'job-1', type: 'test' });
  const ctx: JobContext = { signal: controller.signal, logger, progress: async () => undefined };
  return { ctx, controller, logText: () => lines.join('') };
}

export function makeJob(type: string, payload: Record<string, unknown>): Job {
  const now = new Date();
  return {
    id: 'job-1',
    queue: 'default',
    type,
    payload,
    status: 'processing',
    attempts: 1,
    maxAttempts: 3,
    priority: 0,
    delay: 0,
    createdAt: now,
    enteredAt: now,
  };
}

/** Polls `condition` until it holds, failing after `timeoutMs` instead of hanging the suite. */
export async function waitFor(condition: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** What a test HTTP server saw of one request. */
export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface TestHttpServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts an HTTP server on an ephemeral loopback port; `respond` runs once the request body is read. */
export async function startHttpServer(respond: (req: RecordedRequest, res: ServerResponse) => void): Promise<TestHttpServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(recorded);
      respond(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        // Slow-response tests leave sockets open on purpose; do not wait for them.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port with nothing listening: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
