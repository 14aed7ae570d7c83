/** `[webhook] allowAddresses` and `signingSecret` reach the webhook built-in the host registers; bad ranges are named. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { deletePrefix, REDIS_URL, uniquePrefix, waitFor } from '../helpers.js';
import { errorOf } from './config-helpers.js';
import { startHost, stopHosts } from './host-helpers.js';

let prefix: string;
let server: Server;
let seen: IncomingHttpHeaders[];
let url: string;
beforeEach(async () => {
  prefix = uniquePrefix('host-webhook');
  seen = [];
  server = createServer((req, res) => {
    seen.push(req.headers);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterEach(async () => {
  await stopHosts();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await deletePrefix(prefix);
});

test('a headless host delivers to an allowed private range, signed with the configured secret', async () => {
  const host = await startHost(`
[redis]
url = "${REDIS_URL}"
prefix = "${prefix}"
[queues.default]
pollTime = "200ms"
[handlers.hook]
builtin = "webhook"
[webhook]
allowAddresses = ["127.0.0.0/8"]
signingSecret = "hook-secret"
[metrics]
enabled = false
`, { mode: 'headless' });
  const queue = host.queues[0]!;
  const job = await queue.push({ type: 'hook', payload: { url, data: { n: 1 } }, maxAttempts: 1 });
  const done = await waitFor('the delivery', async () => {
    const found = await queue.getJob(job.id);
    return found?.status === 'completed' || found?.status === 'failed' ? found : null;
  });
  expect(done.status).toBe('completed');
  expect(seen).toHaveLength(1);
  expect(seen[0]!['x-flexq-signature']).toMatch(/\S/);
});

test('an allowAddresses entry that is not a CIDR range is refused, naming it', () => {
  expect(errorOf('[webhook]\nallowAddresses = ["10.0.0.0/8", "localhost"]').message).toMatch(/webhook\.allowAddresses\.1: expected a CIDR range/);
});
