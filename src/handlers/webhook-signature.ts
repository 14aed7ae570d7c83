import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries a webhook's signature when a signing secret is configured. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Flexq-Signature';

/** Default tolerance, in seconds, between the signature's timestamp and the receiver's clock. */
export const DEFAULT_SIGNATURE_TOLERANCE_SEC = 300;

/** What a signature covers: the request as sent. */
export interface SignedRequest {
  /** HTTP method, any case (it is upper-cased before signing). */
  method: string;
  /** The absolute URL the request was sent to, as the sender wrote it (scheme, host, path, query). */
  url: string | URL;
  /** The raw body, exactly as sent; empty or undefined for none. */
  body?: string | Uint8Array | undefined;
}

function checkSecret(secret: string, where: string): void {
  if (typeof secret !== 'string' || secret === '') throw new TypeError(`${where}: the signing secret must be a non-empty string`);
}

/**
 * HMAC-SHA256 of `"<t>\n<METHOD>\n<url>\n"` followed by the body. Method and URL are signed with
 * the body so a captured request cannot be replayed to another endpoint or with another method,
 * the timestamp so it cannot be replayed later; newlines cannot occur in the first three parts,
 * so no two requests share a signed string.
 */
function hmacHex(secret: string, timestampSec: number, request: SignedRequest): string {
  const url = typeof request.url === 'string' ? new URL(request.url).href : request.url.href;
  return createHmac('sha256', secret)
    .update(`${timestampSec}\n${request.method.toUpperCase()}\n${url}\n`)
    .update(request.body ?? '')
    .digest('hex');
}

/** Builds the `X-Flexq-Signature` value `t=<unix seconds>,v2=<hex HMAC-SHA256>` of a request (see README, "Signed webhooks"). */
export function signWebhookRequest(secret: string, request: SignedRequest, nowMs: number = Date.now()): string {
  checkSecret(secret, 'signWebhookRequest');
  const timestampSec = Math.floor(nowMs / 1000);
  return `t=${timestampSec},v2=${hmacHex(secret, timestampSec, request)}`;
}

/**
 * Checks a received `X-Flexq-Signature` header against the request as received, for webhook
 * receivers. True only when one `v2` signature matches and its timestamp lies within
 * `toleranceSec` of now; several `v2` entries are allowed so a sender can rotate secrets.
 * `request.url` is the URL the sender used (the receiver's public URL, query included);
 * `request.body` is the raw body (bytes or string), before any JSON parsing.
 * Throws a `TypeError` for an empty secret or a tolerance that is not a finite number ≥ 0: such a
 * call is a bug in the receiver, and answering false would hide it.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  request: SignedRequest,
  toleranceSec: number = DEFAULT_SIGNATURE_TOLERANCE_SEC,
  nowMs: number = Date.now(),
): boolean {
  checkSecret(secret, 'verifyWebhookSignature');
  if (typeof toleranceSec !== 'number' || !Number.isFinite(toleranceSec) || toleranceSec < 0) {
    throw new TypeError(`verifyWebhookSignature: toleranceSec must be a finite number of seconds ≥ 0, got ${String(toleranceSec)}`);
  }
  if (!header) return false;
  let timestampSec: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d{1,12}$/.test(value)) timestampSec = Number(value);
    else if (key === 'v2' && value !== undefined) candidates.push(value);
  }
  if (timestampSec === undefined || candidates.length === 0) return false;
  if (Math.abs(nowMs / 1000 - timestampSec) > toleranceSec) return false;
  let expected: Buffer;
  try {
    expected = Buffer.from(hmacHex(secret, timestampSec, request), 'hex');
  } catch {
    return false; // a URL that does not parse cannot be the one that was signed
  }
  return candidates.some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    // timingSafeEqual throws on unequal lengths; a wrong length is simply a mismatch.
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
