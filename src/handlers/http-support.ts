/**
 * Small HTTP helpers of the webhook handler: bounded body reading, Retry-After parsing and
 * keeping secrets out of logs and job errors.
 */
import { REDACTED } from '../shared/redact.js';

/** The start of a response body, read without buffering more than asked for. */
export interface BodyPrefix {
  bytes: Uint8Array;
  /** True when the body was longer than the bytes kept. */
  truncated: boolean;
}

/** Reads at most `maxBytes` of a response body and cancels the rest, so a huge or endless body cannot exhaust memory. */
export async function readBodyPrefix(response: Response, maxBytes: number): Promise<BodyPrefix> {
  if (!response.body) return { bytes: new Uint8Array(0), truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - size;
      chunks.push(value.byteLength > room ? value.subarray(0, room) : value);
      size += Math.min(value.byteLength, room);
      if (value.byteLength > room) {
        truncated = true;
        break;
      }
    }
  } finally {
    if (truncated) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
  return { bytes: Buffer.concat(chunks, size), truncated };
}

/** Decodes bytes as UTF-8; a multi-byte character cut at the end becomes U+FFFD rather than an error. */
export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

/**
 * Milliseconds a `Retry-After` header asks to wait (delta-seconds or an HTTP date), or
 * undefined when the header is absent or unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfterMs(value: string | null, nowMs: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const dateMs = Date.parse(trimmed);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}

/** Header names whose values are credentials; matched case-insensitively. */
const SECRET_HEADER_NAMES = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
  'x-access-token',
]);
/** Custom headers such as `X-Shopify-Access-Token` or `X-Hub-Secret` are credentials too. */
const SECRET_HEADER_PATTERN = /token|secret|password|passwd|signature|api-?key|auth|cookie|session/i;

/** A copy of `headers` fit for logs: credential-like values are replaced by `[redacted]`. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const secret = SECRET_HEADER_NAMES.has(name.toLowerCase()) || SECRET_HEADER_PATTERN.test(name);
    safe[name] = secret ? REDACTED : value;
  }
  return safe;
}

// Moved to src/shared so that every output (CLI, console, logs) masks URLs the same way.
export { describeUrl } from '../shared/secret-text.js';
