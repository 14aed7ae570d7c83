import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressPolicy, guardedLookup, type ResolveAll } from '../../src/handlers/address-guard.js';
import { BlockedAddressError, isNonPublicAddress, webhookJobHandler } from '../../src/handlers/index.js';
import { makeContext, makeJob, startHttpServer, type TestHttpServer } from './helpers.js';

let server: TestHttpServer;
let port: string;
beforeAll(async () => {
  server = await startHttpServer((req, res) => {
    const to = new URL(req.url, 'http://x').searchParams.get('to');
    if (to !== null) res.writeHead(302, { location: to }).end();
    else res.writeHead(204).end();
  });
  port = new URL(server.origin).port;
});
afterAll(() => server.close());

/** A fake DNS: answers each lookup with the next entry of `answers` (the last repeats), counting calls. */
function scriptedDns(...answers: string[][]): { resolve: ResolveAll; calls: () => number } {
  let calls = 0;
  const resolve: ResolveAll = (_hostname, _options, callback) => {
    const answer = answers[Math.min(calls, answers.length - 1)] ?? [];
    calls++;
    const entries: LookupAddress[] = answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    setImmediate(() => callback(null, entries));
  };
  return { resolve, calls: () => calls };
}

async function runGuarded(url: string, options: Parameters<typeof webhookJobHandler>[0] = {}) {
  const { ctx, logText } = makeContext();
  const result = await webhookJobHandler({ blockPrivateAddresses: true, ...options }).handle(ctx, makeJob('webhook', { url }));
  return { result, logs: logText() };
}

describe('isNonPublicAddress', () => {
  it.each([
    ['loopback', '127.0.0.1'], ['loopback, end of range', '127.255.255.254'], ['private', '10.1.2.3'], ['private', '172.16.0.1'],
    ['private', '192.168.1.1'], ['metadata (link-local)', '169.254.169.254'], ['CGNAT / Alibaba metadata', '100.100.100.200'],
    ['unspecified', '0.0.0.0'], ['this network', '0.1.2.3'], ['multicast', '224.0.0.1'], ['broadcast', '255.255.255.255'],
    ['IETF protocol assignments', '192.0.0.8'], ['benchmarking', '198.18.0.1'], ['documentation', '203.0.113.5'],
    ['decimal loopback', '2130706433'], ['octal loopback', '0177.0.0.1'], ['hex loopback', '0x7f.0.0.1'],
    ['IPv6 unspecified', '::'], ['IPv6 loopback', '::1'], ['unique-local', 'fd12:3456::1'], ['AWS IPv6 metadata', 'fd00:ec2::254'],
    ['link-local', 'fe80::1'], ['link-local with zone', 'fe80::1%eth0'], ['IPv6 multicast', 'ff02::1'],
    ['IPv4-mapped, dotted', '::ffff:127.0.0.1'], ['IPv4-mapped, hex', '::ffff:7f00:1'], ['IPv4-mapped private', '::ffff:10.0.0.1'],
    ['IPv4-compatible (deprecated)', '::7f00:1'], ['IPv4-compatible metadata', '::a9fe:a9fe'], ['SIIT (rfc6145)', '::ffff:0:7f00:1'],
    ['NAT64 of loopback', '64:ff9b::7f00:1'], ['NAT64 of private', '64:ff9b::a00:1'], ['6to4 of loopback', '2002:7f00:1::1'],
    ['6to4 of metadata', '2002:a9fe:a9fe::'], ['Teredo whose client is loopback', '2001:0:4136:e378:8000:63bf:80ff:fffe'],
    ['documentation', '2001:db8::1'], ['not an address at all', 'example.com'], ['empty', ''],
  ])('%s: %s is non-public', (_what, address) => expect(isNonPublicAddress(address)).toBe(true));

  it.each([
    '8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:808:808::1',
    '2001:0:4136:e378:8000:63bf:f7f7:f7f7', // Teredo whose client is 8.8.8.8
  ])('%s is public', (address) => expect(isNonPublicAddress(address)).toBe(false));
});

describe('guarded lookup (the address checked is the address connected to)', () => {
  const lookupOnce = (lookup: ReturnType<typeof guardedLookup>, all: boolean) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
      lookup('rebind.test', { all }, (err, address) => resolve({ err, address })),
    );

  it('judges every answer of every lookup: a DNS that answers public first and loopback next is refused the second time', async () => {
    const dns = scriptedDns(['93.184.216.34'], ['93.184.216.34', '127.0.0.1']);
    const lookup = guardedLookup(addressPolicy(), dns.resolve);
    expect(await lookupOnce(lookup, true)).toEqual({ err: null, address: [{ address: '93.184.216.34', family: 4 }] });
    const second = await lookupOnce(lookup, false);
    expect(second.err).toBeInstanceOf(BlockedAddressError);
    expect(second.err?.message).toContain('host rebind.test resolves to 127.0.0.1');
  });

  it('answers in the single-address form when the socket asks for it', async () => {
    const lookup = guardedLookup(addressPolicy(), scriptedDns(['2606:4700:4700::1111']).resolve);
    const answer = await new Promise<unknown[]>((resolve) => lookup('x.test', { all: false }, (...args) => resolve(args)));
    expect(answer).toEqual([null, '2606:4700:4700::1111', 6]);
  });

  it('resolves a host once per connection, at connect time, and refuses a loopback answer before any byte is sent', async () => {
    const before = server.requests.length;
    const dns = scriptedDns(['127.0.0.1']);
    const { result } = await runGuarded(`http://rebind.test:${port}/hook`, { lookup: dns.resolve });
    expect(result).toMatchObject({ success: false, retry: false });
    expect(result.error).toContain('host rebind.test resolves to 127.0.0.1');
    expect(dns.calls()).toBe(1); // no separate pre-check lookup a rebinding DNS could answer differently
    expect(server.requests.length).toBe(before);
  });
});

describe('the webhook handler with blockPrivateAddresses', () => {
  it.each([
    ['decimal', `http://2130706433:PORT/`], ['octal', 'http://0177.0.0.1:PORT/'], ['short', 'http://127.1:PORT/'],
    ['IPv4-mapped dotted', 'http://[::ffff:127.0.0.1]:PORT/'], ['IPv4-mapped hex', 'http://[::ffff:7f00:1]:PORT/'],
    ['plain', 'http://127.0.0.1:PORT/'],
  ])('refuses loopback written in %s form, for good, sending nothing', async (_form, template) => {
    const before = server.requests.length;
    const { result } = await runGuarded(template.replace('PORT', port));
    expect(result).toMatchObject({ success: false, retry: false });
    expect(result.error).toMatch(/refused: address .* is private, loopback or otherwise non-public/);
    expect(server.requests.length).toBe(before);
  });

  it('judges the addresses a host name resolves to, not the name', async () => {
    const { result } = await runGuarded(`http://localhost:${port}/hook`);
    expect(result.retry).toBe(false);
    expect(result.error).toMatch(/host localhost resolves to (127\.0\.0\.1|::1)/);
  });

  it('lets allowAddresses exempt a trusted range, and still refuses a redirect out of it to another private address', async () => {
    const allowed = await runGuarded(`${server.origin}/hook`, { allowAddresses: ['127.0.0.1/32'] });
    expect(allowed.result).toMatchObject({ success: true, data: { status: 204 } });
    for (const target of ['http://127.0.0.2:1/', 'http://[::ffff:7f00:2]:1/', 'http://2130706434:1/', 'http://0x7f.0.0.3:1/']) {
      const before = server.requests.length;
      const { result } = await runGuarded(`${server.origin}/bounce?to=${encodeURIComponent(target)}`, { allowAddresses: ['127.0.0.1/32'] });
      expect(result, target).toMatchObject({ success: false, retry: false });
      expect(result.error).toMatch(/refused: address (127\.0\.0\.[23]|::ffff:7f00:2) is private/);
      expect(server.requests.length).toBe(before + 1); // the bounce only
    }
  });

  it('refuses a redirect to a name that resolves to a private address', async () => {
    const dns = scriptedDns(['10.0.0.7']);
    const { result } = await runGuarded(`${server.origin}/bounce?to=${encodeURIComponent('http://internal.test/admin')}`, {
      allowAddresses: ['127.0.0.1/32'],
      lookup: dns.resolve,
    });
    expect(result).toMatchObject({ success: false, retry: false });
    expect(result.error).toContain('host internal.test resolves to 10.0.0.7');
  });

  it('rejects a malformed allowAddresses range at creation', () => {
    expect(() => webhookJobHandler({ blockPrivateAddresses: true, allowAddresses: ['10.0.0.0/99'] })).toThrow('not a CIDR range');
  });

  it('allows loopback when off (the library default)', async () => {
    const { ctx } = makeContext();
    const result = await webhookJobHandler().handle(ctx, makeJob('webhook', { url: `${server.origin}/hook` }));
    expect(result).toMatchObject({ success: true, data: { status: 204 } });
  });
});
