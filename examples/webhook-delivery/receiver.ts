import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '../../src/handlers/index.js';

/** What the receiver made of one request. */
export interface Delivery {
  verified: boolean;
  status: number;
  event: unknown;
}

/** A running receiver: its URL, what it has seen, and how to stop it. */
export interface WebhookReceiver {
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * A partner's webhook endpoint on a loopback port. It checks each request's signature against
 * its method, URL and raw body (before parsing it: re-serialised JSON would not match), refuses unsigned or
 * forged requests with 401, and answers the first `outages` verified deliveries with
 * 503 + `Retry-After: 1`, as a service in the middle of a deploy would.
 */
export async function startWebhookReceiver(secret: string, outages = 1): Promise<WebhookReceiver> {
  const deliveries: Delivery[] = [];
  const server = createServer((req, res) => {
    readBody(req).then((body) => {
      // The signature covers method and URL too: rebuild the URL the sender used (this endpoint's
      // public URL; behind a proxy, use the public scheme and host rather than the local ones).
      const url = `http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`;
      const header = req.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] as string | undefined;
      const verified = verifyWebhookSignature(secret, header, { method: req.method ?? '', url, body });
      const status = !verified ? 401 : deliveries.filter((d) => d.verified).length < outages ? 503 : 200;
      const event: unknown = verified ? JSON.parse(body.toString('utf8')) : undefined;
      deliveries.push({ verified, status, event });
      console.log(`receiver: delivery ${deliveries.length}, signature ${verified ? 'verified' : 'INVALID'}, answering ${status}`);
      if (status === 503) res.setHeader('Retry-After', '1');
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ received: status === 200 }));
    }, () => res.writeHead(400).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/user_registered`,
    deliveries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
