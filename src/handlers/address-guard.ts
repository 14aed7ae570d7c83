import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Address ranges a webhook must not reach when `blockPrivateAddresses` is on: anything that
 * lands inside the host's own network rather than on the public internet (SSRF guard).
 * BlockList also matches IPv4-mapped IPv6 (`::ffff:127.0.0.1`) against the IPv4 rules.
 */
const NON_PUBLIC_RANGES: ReadonlyArray<readonly [network: string, prefix: number, family: 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network", includes the unspecified 0.0.0.0
  ['10.0.0.0', 8, 'ipv4'], // private
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT, private to the provider
  ['127.0.0.0', 8, 'ipv4'], // loopback
  ['169.254.0.0', 16, 'ipv4'], // link-local, includes cloud metadata endpoints
  ['172.16.0.0', 12, 'ipv4'], // private
  ['192.0.0.0', 24, 'ipv4'], // IETF protocol assignments
  ['192.168.0.0', 16, 'ipv4'], // private
  ['198.18.0.0', 15, 'ipv4'], // benchmarking, never routed publicly
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, includes broadcast 255.255.255.255
  ['::', 128, 'ipv6'], // unspecified
  ['::1', 128, 'ipv6'], // loopback
  ['fc00::', 7, 'ipv6'], // unique-local
  ['fe80::', 10, 'ipv6'], // link-local
  ['fec0::', 10, 'ipv6'], // deprecated site-local, still private where it is used
  ['ff00::', 8, 'ipv6'], // multicast
];

const nonPublic = new BlockList();
for (const [network, prefix, family] of NON_PUBLIC_RANGES) nonPublic.addSubnet(network, prefix, family);

/** NAT64 (64:ff9b::/96) carries an IPv4 address in its last 32 bits; judge that address instead. */
function embeddedNat64Ipv4(address: string): string | undefined {
  const match = /^64:ff9b::(?:ffff:)?([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (!match) return undefined;
  const high = parseInt(match[1] ?? '0', 16);
  const low = parseInt(match[2] ?? '0', 16);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** True when `address` (an IPv4 or IPv6 literal) is private, loopback, link-local, unique-local, unspecified or otherwise non-public. */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return nonPublic.check(address, 'ipv4');
  if (family === 6) {
    const nat64 = embeddedNat64Ipv4(address);
    if (nat64 !== undefined) return nonPublic.check(nat64, 'ipv4');
    return nonPublic.check(address, 'ipv6');
  }
  return false;
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

/**
 * Resolves `hostname` (as found in `URL.hostname`, IPv6 in brackets) and rejects with a
 * `BlockedAddressError` if any of its addresses is non-public. Every address is checked, not only
 * the first, because the HTTP client may connect to any of them.
 *
 * Limitation: the client resolves the name again when it connects, so a DNS server that answers
 * differently the second time (DNS rebinding) is not stopped here; egress firewalls are the
 * complete answer.
 */
export async function assertPublicHost(hostname: string): Promise<void> {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
  for (const address of addresses) {
    if (isNonPublicAddress(address)) throw new BlockedAddressError(host, address);
  }
}
