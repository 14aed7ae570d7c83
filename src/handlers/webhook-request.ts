/** The payload of a `webhook` job. */
export interface WebhookPayload {
  /** Absolute http(s) URL. */
  url: string;
  /** HTTP method; default POST. */
  method?: string;
  /** Extra request headers; they override the handler's default headers. */
  headers?: Record<string, string>;
  /** Sent as the JSON request body with `Content-Type: application/json`. */
  data?: unknown;
}

/** A validated, ready-to-send webhook request. */
export interface WebhookRequest {
  url: URL;
  method: string;
  headers: Headers;
  /** The exact bytes sent (and signed, see `webhook-send.ts`), or undefined for no body. */
  body: string | undefined;
}

/** Raised for a payload that can never succeed, whatever the retries: the job fails for good. */
export class InvalidWebhookPayloadError extends Error {
  override readonly name = 'InvalidWebhookPayloadError';
}

/** Methods fetch refuses outright; sending them would only fail later with a misleading network error. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

function parseUrl(value: unknown): URL {
  if (value === undefined || value === null || value === '') throw new InvalidWebhookPayloadError('payload.url is missing');
  if (typeof value !== 'string') throw new InvalidWebhookPayloadError(`payload.url must be a string, got ${typeof value}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidWebhookPayloadError('payload.url is not a valid absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidWebhookPayloadError(`payload.url must use http or https, not ${url.protocol.slice(0, -1)}`);
  }
  // A URL's user info ends up in logs, proxies and error reports; credentials belong in a header.
  // The message names neither the user nor the password.
  if (url.username !== '' || url.password !== '') {
    throw new InvalidWebhookPayloadError('payload.url must not carry credentials (user:password@host); send them in payload.headers, e.g. Authorization');
  }
  return url;
}

function parseMethod(value: unknown): string {
  if (value === undefined || value === null) return 'POST';
  if (typeof value !== 'string' || !/^[A-Za-z]+$/.test(value)) {
    throw new InvalidWebhookPayloadError('payload.method must be an HTTP method name such as POST or PUT');
  }
  const method = value.toUpperCase();
  if (FORBIDDEN_METHODS.has(method)) throw new InvalidWebhookPayloadError(`payload.method ${method} is not allowed`);
  return method;
}

function toHeaderRecord(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidWebhookPayloadError(`${where} must be a table of header names to values`);
  const record: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(value)) {
    if (typeof headerValue !== 'string' && typeof headerValue !== 'number') {
      throw new InvalidWebhookPayloadError(`${where}.${name} must be a string`);
    }
    record[name] = String(headerValue);
  }
  return record;
}

/** What the handler adds to every request it builds. */
export interface RequestDefaults {
  headers?: Record<string, string>;
}

/** Validates a job payload into a request, or throws `InvalidWebhookPayloadError` naming the bad field. */
export function buildWebhookRequest(payload: Record<string, unknown>, defaults: RequestDefaults): WebhookRequest {
  const url = parseUrl(payload['url']);
  const method = parseMethod(payload['method']);
  const data = payload['data'];
  const body = data === undefined ? undefined : JSON.stringify(data);
  if (body !== undefined && (method === 'GET' || method === 'HEAD')) {
    throw new InvalidWebhookPayloadError(`payload.data cannot be sent with ${method}; use POST, PUT or PATCH`);
  }
  const headers = new Headers({ 'user-agent': 'flexq-webhook' });
  try {
    for (const [name, value] of Object.entries(defaults.headers ?? {})) headers.set(name, value);
    if (body !== undefined) headers.set('content-type', 'application/json');
    // The payload's own headers come last so a job can override, e.g., a vendor JSON media type.
    for (const [name, value] of Object.entries(toHeaderRecord(payload['headers'], 'payload.headers'))) headers.set(name, value);
  } catch (err) {
    if (err instanceof InvalidWebhookPayloadError) throw err;
    throw new InvalidWebhookPayloadError(`payload.headers: ${(err as Error).message}`);
  }
  return { url, method, headers, body };
}
