/**
 * The webhook SSRF guard: which addresses count as public, and a DNS lookup for the HTTP client
 * that refuses non-public answers at connect time, so the address checked is the address used.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';

/**
 * IPv6 forms that carry an IPv4 address, and where it sits. Such an address reaches whatever its
 * IPv4 address reaches (through a translator or tunnel), so it is judged by that address.
 */
function embeddedIpv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const parts = address.parts;
  const fromWords = (high: number, low: number): ipaddr.IPv4 => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  switch (address.range()) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d, SIIT
    case 'rfc6052': // 64:ff9b::a.b.c.d, NAT64
      return fromWords(parts[6] ?? 0, parts[7] ?? 0);
    case '6to4': // 2002:AABB:CCDD::/48
      return fromWords(parts[1] ?? 0, parts[2] ?? 0);
    case 'teredo': // 2001:0:SERVER:SERVER:flags:port:~CLIENT:~CLIENT; the client is the far end
      return fromWords((parts[6] ?? 0) ^ 0xffff, (parts[7] ?? 0) ^ 0xffff);
    default:
      return undefined;
  }
}

/** 2000::/3: the only IPv6 space allocated for global unicast; `::7f00:1` and friends lie outside it. */
const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

/**
 * True when `address` (an IPv4 or IPv6 literal, in any form `ipaddr.js` reads: dotted, decimal
 * `2130706433`, octal `0177.0.0.1`, hex, IPv4-mapped, NAT64, 6to4, Teredo) is loopback, private,
 * link-local (cloud metadata), CGNAT, unspecified, multicast, reserved or otherwise not a public
 * unicast address. Anything that is not a readable address counts as non-public: the guard fails
 * closed.
 */
export function isNonPublicAddress(address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // `process` would turn only ::ffff: forms into IPv4; embeddedIpv4 covers the others too.
    parsed = ipaddr.parse(address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, ''));
  } catch {
    return true;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const inner = embeddedIpv4(v6);
    if (inner !== undefined) return inner.range() !== 'unicast';
    return v6.range() !== 'unicast' || !v6.match(GLOBAL_UNICAST);
  }
  return parsed.range() !== 'unicast';
}

/** Raised when a URL's host is, or resolves to, a non-public address. */
export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      host === address
        ? `address ${address} is private, loopback or otherwise non-public and blockPrivateAddresses is on`
        : `host ${host} resolves to ${address}, a private, loopback or otherwise non-public address, and blockPrivateAddresses is on`,
    );
  }
}

/** Decides whether the guard refuses an address. */
export type AddressPolicy = (address: string) => boolean;

/**
 * The guard's policy: non-public addresses are refused, except those inside `allowed` CIDR
 * ranges (an internal receiver the operator trusts, e.g. `10.1.2.0/24`). Throws on a range that
 * does not parse, so a typo fails at startup rather than silently allowing nothing.
 */
export function addressPolicy(allowed: readonly string[] = []): AddressPolicy {
  const ranges = allowed.map((cidr) => {
    try {
      return ipaddr.parseCIDR(cidr);
    } catch {
      throw new TypeError(`allowAddresses: ${JSON.stringify(cidr)} is not a CIDR range such as "10.1.2.0/24"`);
    }
  });
  return (address) => {
    if (!isNonPublicAddress(address)) return false;
    const parsed = ipaddr.process(address.replace(/%.*$/, ''));
    return !ranges.some((range) => parsed.kind() === range[0].kind() && parsed.match(range));
  };
}

/** A URL host (`URL.hostname`: IPv6 in brackets, IPv4 already normalised by the URL parser) without brackets. */
function bareHost(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * Throws a `BlockedAddressError` when `hostname` is an IP literal of a non-public address. Host
 * names are judged when the client connects (`guardedLookup`): Node skips the lookup hook for IP
 * literals, so they must be judged here, before the request.
 */
export function assertPublicLiteral(hostname: string, isBlocked: AddressPolicy): void {
  const host = bareHost(hostname);
  if (ipaddr.isValid(host) && isBlocked(host)) throw new BlockedAddressError(host, host);
}

/** The callback shape of `dns.lookup` with `all: true`. */
export type LookupAllCallback = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;
/** A resolver with `dns.lookup`'s `all: true` behaviour; tests pass a fake one to play a rebinding DNS. */
export type ResolveAll = (hostname: string, options: LookupOptions, callback: LookupAllCallback) => void;

const systemResolveAll: ResolveAll = (hostname, options, callback) => dnsLookup(hostname, { ...options, all: true }, callback);

/** The `lookup` hook `net.connect` takes: single-address or `all` callback depending on options. */
export type ConnectLookup = (
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/**
 * A `lookup` for the HTTP client's sockets that resolves the name once and refuses the connection
 * when any answer is non-public. Because the socket connects to exactly the addresses this hook
 * returns, a DNS server that answers "public" to an earlier check and "loopback" at connect time
 * (DNS rebinding) gets nowhere: there is no earlier check to fool.
 */
export function guardedLookup(isBlocked: AddressPolicy, resolveAll: ResolveAll = systemResolveAll): ConnectLookup {
  return (hostname, options, callback) => {
    resolveAll(hostname, options, (err, addresses) => {
      if (err) return callback(err, []);
      // Every answer is judged, not only the first: the socket may try any of them.
      const blocked = addresses.find((entry) => isBlocked(entry.address));
      if (blocked !== undefined) return callback(new BlockedAddressError(hostname, blocked.address), []);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (first === undefined) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
