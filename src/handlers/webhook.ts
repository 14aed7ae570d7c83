import type { Response } from 'undici';
import { z } from 'zod';
import { MAX_DURATION_MS } from '../engine/codec.js';
import { checkOptions, integerOption, optionsSchema } from '../engine/options.js';
import { MAX_TIMER_MS } from '../engine/timers.js';
import type { Handler, Job, JobContext, JobResult } from '../engine/types.js';
import { addressPolicy, BlockedAddressError, type ResolveAll } from './address-guard.js';
import { type BodyPrefix, decodeUtf8, describeUrl, parseRetryAfterMs, readBodyPrefix, redactHeaders } from './http-support.js';
import { buildWebhookRequest, InvalidWebhookPayloadError, type WebhookRequest } from './webhook-request.js';
import { guardedDispatcher, PermanentRequestError, type Sender, sendFollowingRedirects } from './webhook-send.js';

/** Options of `webhookJobHandler`. */
export interface WebhookHandlerOptions {
  /** Time limit in ms for one attempt, response body included; default 10 000. */
  timeout?: number;
  /** Headers sent with every request; a job's `payload.headers` override them. */
  headers?: Record<string, string>;
  /** When set, every request carries `X-Flexq-Signature` (see `verifyWebhookSignature`). */
  signingSecret?: string;
  /**
   * Refuse (for good) URLs whose host is or resolves to a non-public address, on every redirect
   * too; the address checked is the one connected to. Default false.
   */
  blockPrivateAddresses?: boolean;
  /**
   * The DNS lookup the guard uses (`dns.lookup` with `all: true` by default): for a custom
   * resolver, and for tests that play a rebinding DNS server. Used only with `blockPrivateAddresses`.
   */
  lookup?: ResolveAll;
  /** CIDR ranges exempt from `blockPrivateAddresses`, for internal receivers you trust (e.g. `["10.1.2.0/24"]`). */
  allowAddresses?: string[];
  /** Upper bound in ms on a server's `Retry-After`, so one reply cannot park a job for days; default 1 h. */
  maxRetryAfter?: number;
  /** Redirects followed before giving up; default 5. */
  maxRedirects?: number;
}

const webhookOptions = optionsSchema({
  timeout: integerOption(1, MAX_TIMER_MS),
  headers: z.record(z.string(), z.string()).optional(),
  // A refine rather than min(1): zod runs length checks on any value with a length, a function's too.
  signingSecret: z.string().refine((value) => typeof value !== 'string' || value.length > 0, 'must be a non-empty string').optional(),
  blockPrivateAddresses: z.boolean().optional(),
  lookup: z.custom<ResolveAll>((value) => typeof value === 'function', { error: 'must be a function' }).optional(),
  allowAddresses: z.array(z.string()).optional(),
  maxRetryAfter: integerOption(0, MAX_DURATION_MS),
  maxRedirects: integerOption(0, 100),
} satisfies Record<keyof WebhookHandlerOptions, z.ZodType>);

/** `JobResult.data` of a successful webhook call. */
export interface WebhookResultData {
  status: number;
  /** Parsed JSON when the response says it is JSON, else text; at most 64 KiB of it. */
  body: unknown;
  /** True when the body was longer than what is kept. */
  truncated: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 3_600_000;
const DEFAULT_MAX_REDIRECTS = 5;
/** Body kept in a successful job's result, which lives in Redis. */
const RESULT_BODY_LIMIT = 64 * 1024;
/** Body quoted in an error message. */
const ERROR_BODY_LIMIT = 500;

/** Statuses a later attempt may get past: timeouts, rate limits and server errors. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function parseResultBody(text: string, contentType: string | null, truncated: boolean): unknown {
  if (!truncated && contentType !== null && /[/+]json\b/i.test(contentType)) {
    try {
      return JSON.parse(text);
    } catch {
      return text; // A server that lies about its content type still gets its text recorded.
    }
  }
  return text;
}

/** The first error of `type` in `err`'s cause chain: undici wraps what the lookup hook raised. */
function findCause<T extends Error>(err: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let current = err, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    if (current instanceof type) return current;
  }
  return undefined;
}

/** Explains why fetch threw: undici hides the useful part (ECONNREFUSED, "other side closed") in `cause`. */
function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return `${err.message}: ${code !== undefined && !cause.message.includes(code) ? `${code} ` : ''}${cause.message}`;
  }
  return err.message;
}

/** Turns what a failed send threw into the attempt's result. */
function failureFromThrown(err: unknown, target: string, ctxSignal: AbortSignal, timeoutSignal: AbortSignal, timeoutMs: number): JobResult {
  const refusal = findCause(err, BlockedAddressError) ?? findCause(err, PermanentRequestError);
  if (refusal !== undefined) return { success: false, retry: false, error: `${target} refused: ${refusal.message}` };
  if (ctxSignal.aborted) {
    const reason: unknown = ctxSignal.reason;
    return { success: false, error: `${target} aborted: ${reason instanceof Error ? reason.message : String(reason)}` };
  }
  if (timeoutSignal.aborted) return { success: false, error: `${target} timed out after ${timeoutMs} ms` };
  return { success: false, error: `${target} failed: ${describeNetworkError(err)}` };
}

/** Runs one webhook attempt; split out of the factory so the handler object stays a thin shell. */
async function callWebhook(ctx: JobContext, job: Job, options: WebhookHandlerOptions, sender: Sender): Promise<JobResult> {
  let request: WebhookRequest;
  try {
    request = buildWebhookRequest(job.payload, { headers: options.headers });
  } catch (err) {
    if (err instanceof InvalidWebhookPayloadError) return { success: false, retry: false, error: err.message };
    throw err;
  }
  const target = `webhook ${request.method} ${describeUrl(request.url)}`;
  const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
  const timeoutSignal = AbortSignal.timeout(timeoutMs);
  // The timeout also covers reading the body: a server trickling bytes cannot hold a worker slot.
  const signal = AbortSignal.any([ctx.signal, timeoutSignal]);
  ctx.logger.debug(
    { method: request.method, url: describeUrl(request.url), headers: redactHeaders(Object.fromEntries(request.headers)) },
    'webhook request',
  );
  const startedAt = Date.now();
  let response: Response;
  let body: BodyPrefix;
  try {
    response = await sendFollowingRedirects(request, sender, signal);
    body = await readBodyPrefix(response, RESULT_BODY_LIMIT);
  } catch (err) {
    const result = failureFromThrown(err, target, ctx.signal, timeoutSignal, timeoutMs);
    ctx.logger.info({ url: describeUrl(request.url), error: result.error }, 'webhook failed');
    return result;
  }
  const { status } = response;
  ctx.logger.info({ url: describeUrl(request.url), status, durationMs: Date.now() - startedAt }, 'webhook response');
  if (status >= 200 && status < 300) {
    const parsed = parseResultBody(decodeUtf8(body.bytes), response.headers.get('content-type'), body.truncated);
    const data: WebhookResultData = { status, body: parsed, truncated: body.truncated };
    return { success: true, data };
  }
  const errorBody = decodeUtf8(body.bytes.subarray(0, ERROR_BODY_LIMIT));
  const error = `${target} answered ${status}${response.statusText ? ` ${response.statusText}` : ''}: ${errorBody || '(empty body)'}`;
  if (!isRetryableStatus(status)) return { success: false, retry: false, error };
  const retryAfter = parseRetryAfterMs(response.headers.get('retry-after'));
  if (retryAfter === undefined) return { success: false, error };
  return { success: false, error, retryAfter: Math.min(retryAfter, options.maxRetryAfter ?? DEFAULT_MAX_RETRY_AFTER_MS) };
}

/**
 * The built-in `webhook` handler: sends `payload.data` as JSON to `payload.url`. 2xx succeeds;
 * 408, 429, 5xx, timeouts and network errors are retried (honouring `Retry-After`); other
 * statuses, invalid payloads and blocked addresses fail for good.
 */
export function webhookJobHandler(options: WebhookHandlerOptions = {}): Handler {
  // Bad options and default headers are configuration errors: report them at startup, not on every job.
  checkOptions('webhookJobHandler', webhookOptions, options);
  new Headers(options.headers);
  const isBlocked = options.blockPrivateAddresses ? addressPolicy(options.allowAddresses) : undefined;
  const sender: Sender = {
    isBlocked,
    maxRedirects: options.maxRedirects ?? DEFAULT_MAX_REDIRECTS,
    signingSecret: options.signingSecret,
    dispatcher: isBlocked ? guardedDispatcher(isBlocked, options.lookup) : undefined,
  };
  return { handle: (ctx, job) => callWebhook(ctx, job, options, sender) };
}
