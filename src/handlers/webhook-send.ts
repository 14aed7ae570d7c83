/**
 * Sending a webhook request: redirects followed by hand so that the address guard, the redirect
 * limit, the signature and the cross-origin rules apply to every hop, not only the first URL.
 */
import { Agent, fetch, type Dispatcher, type Response } from 'undici';
import { type AddressPolicy, assertPublicLiteral, guardedLookup, type ResolveAll } from './address-guard.js';
import { describeUrl } from './http-support.js';
import type { WebhookRequest } from './webhook-request.js';
import { signWebhookRequest, WEBHOOK_SIGNATURE_HEADER } from './webhook-signature.js';

/** A request that must not be retried, for a reason found while sending (e.g. a bad redirect). */
export class PermanentRequestError extends Error {
  override readonly name = 'PermanentRequestError';
}

/**
 * Headers that may follow a redirect to another origin. Everything else (Authorization, cookies,
 * API keys under any custom name, the signature) was meant for the first origin only, and a
 * header name cannot tell us which custom headers are secrets.
 */
const CROSS_ORIGIN_SAFE_HEADERS = new Set(['accept', 'accept-encoding', 'accept-language', 'user-agent']);

/** How requests are sent; made once per handler. */
export interface Sender {
  /** Set when `blockPrivateAddresses` is on: which addresses are refused. */
  isBlocked: AddressPolicy | undefined;
  maxRedirects: number;
  signingSecret: string | undefined;
  /** The connection pool; with the guard on, one whose sockets connect only to public addresses. */
  dispatcher: Dispatcher | undefined;
}

/**
 * A dispatcher whose every socket resolves its host through the guard. The address checked is
 * the address connected to (one lookup, no second one for a rebinding DNS to answer differently).
 */
export function guardedDispatcher(isBlocked: AddressPolicy, resolveAll?: ResolveAll): Dispatcher {
  return new Agent({ connect: { lookup: guardedLookup(isBlocked, resolveAll) } });
}

/** Method and body of the next hop, as browsers do: 303, and 301/302 after POST, continue as GET without a body. */
function nextMethod(status: number, method: string, body: string | undefined): { method: string; body: string | undefined } {
  if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
    return { method: method === 'HEAD' ? 'HEAD' : 'GET', body: undefined };
  }
  return { method, body };
}

/** The URL a redirect points to, or a `PermanentRequestError` saying why it cannot be followed. */
function redirectTarget(location: string, from: URL): URL {
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    throw new PermanentRequestError('redirected to an invalid URL');
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    throw new PermanentRequestError(`redirected to unsupported protocol ${next.protocol.slice(0, -1)}`);
  }
  if (next.username !== '' || next.password !== '') throw new PermanentRequestError('redirected to a URL that carries credentials');
  return next;
}

/** Sends `request`, following at most `sender.maxRedirects` redirects. */
export async function sendFollowingRedirects(request: WebhookRequest, sender: Sender, signal: AbortSignal): Promise<Response> {
  let { url, method, body } = request;
  const headers = new Headers(request.headers);
  // Once the chain has left the first origin it is never signed again, even if it comes back:
  // a hostile middle hop could otherwise bounce us to any endpoint of the receiver, signed.
  let sameOrigin = true;
  for (let hop = 0; ; hop++) {
    if (sender.isBlocked !== undefined) assertPublicLiteral(url.hostname, sender.isBlocked);
    if (sender.signingSecret !== undefined && sameOrigin) {
      headers.set(WEBHOOK_SIGNATURE_HEADER, signWebhookRequest(sender.signingSecret, { method, url, body }));
    }
    const response = await fetch(url, { method, headers, body, signal, redirect: 'manual', dispatcher: sender.dispatcher });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status > 399 || location === null) return response;
    await response.body?.cancel();
    if (hop >= sender.maxRedirects) throw new PermanentRequestError(`gave up after ${sender.maxRedirects} redirects`);
    const next = redirectTarget(location, url);
    ({ method, body } = nextMethod(response.status, method, body));
    if (body === undefined) headers.delete('content-type');
    if (next.origin !== url.origin) {
      // 307/308 would resend the body to a server it was not meant for: refuse rather than leak it.
      if (body !== undefined) {
        throw new PermanentRequestError(`refused to resend the body to another origin (${describeUrl(next)}) on a ${response.status} redirect`);
      }
      for (const name of [...headers.keys()]) if (!CROSS_ORIGIN_SAFE_HEADERS.has(name)) headers.delete(name);
      sameOrigin = false;
    }
    url = next;
  }
}
