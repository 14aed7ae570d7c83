import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header that carries a webhook's signature when a signing secret is configured. */
export const WEBHOOK_SIGNATURE_HEADER = 'X-Flexq-Signature';

/** Default tolerance, in seconds, between the signature's timestamp and the receiver's clock. */
export const DEFAULT_SIGNATURE_TOLERANCE_SEC = 300;

function hmacHex(secret: string, timestampSec: number, body: string | Uint8Array): string {
  // The timestamp is signed with the body so a captured request cannot be replayed later.
  return createHmac('sha256', secret).update(`${timestampSec}.`).update(body).digest('hex');
}

/** Builds the `X-Flexq-Signature` value `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. */
export function signWebhookBody(secret: string, body: string | Uint8Array, nowMs: number = Date.now()): string {
  const timestampSec = Math.floor(nowMs / 1000);
  return `t=${timestampSec},v1=${hmacHex(secret, timestampSec, body)}`;
}

/**
 * Checks a received `X-Flexq-Signature` header against the raw request body, for webhook
 * receivers. True only when one `v1` signature matches and its timestamp lies within
 * `toleranceSec` of now; several `v1` entries are allowed so a sender can rotate secrets.
 * Pass the body exactly as received (bytes or string), before any JSON parsing.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string | Uint8Array,
  toleranceSec: number = DEFAULT_SIGNATURE_TOLERANCE_SEC,
  nowMs: number = Date.now(),
): boolean {
  if (!header) return false;
  let timestampSec: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value !== undefined && /^\d+$/.test(value)) timestampSec = Number(value);
    else if (key === 'v1' && value !== undefined) candidates.push(value);
  }
  if (timestampSec === undefined || candidates.length === 0) return false;
  if (Math.abs(nowMs / 1000 - timestampSec) > toleranceSec) return false;
  const expected = Buffer.from(hmacHex(secret, timestampSec, body), 'hex');
  return candidates.some((candidate) => {
    const given = Buffer.from(candidate, 'hex');
    // timingSafeEqual throws on unequal lengths; a wrong length is simply a mismatch.
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
