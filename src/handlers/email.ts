import { hostname } from 'node:os';
import nodemailer from 'nodemailer';
import type { NodemailerError, SendMailOptions, SMTPPoolOptions, SMTPTransportOptions } from 'nodemailer';
import type { Handler, Job, JobContext, JobResult } from '../engine/types.js';
import { z } from 'zod';
import { checkedWhereUsed, checkOptions, integerOption, optionsSchema } from '../engine/options.js';
import { buildEmailMessage, InvalidEmailPayloadError } from './email-message.js';

/**
 * nodemailer's SMTP options (`host`, `port`, `secure`, `auth`, `ignoreTLS`, …), with those of its
 * pool (`pool`, `maxConnections`, `maxMessages`, `rateDelta`, `rateLimit`, …), plus the sender address.
 */
export interface EmailHandlerOptions extends SMTPPoolOptions {
  /** Sender address; default `flexq@<hostname>`. */
  from?: string;
}

// nodemailer checks the SMTP values when it connects; it ignores keys it does not know, so a
// misspelled one (`hots`) would silently leave its default in force. The `satisfies` ties these
// keys to nodemailer's own types: an option it adds or drops fails the typecheck until listed here.
const SMTP_TRANSPORT_KEYS = {
  service: true, url: true, auth: true, getSocket: true, forceAuth: true, authMethod: true, component: true, pool: true, port: true,
  host: true, secure: true, secured: true, servername: true, ignoreTLS: true, requireTLS: true, opportunisticTLS: true, name: true,
  localAddress: true, connectionTimeout: true, greetingTimeout: true, socketTimeout: true, socketCloseTimeout: true, maxResponseSize: true,
  dnsTimeout: true, lmtp: true, logger: true, debug: true, transactionLog: true, tls: true, socket: true, connection: true,
  allowInternalNetworkInterfaces: true, customAuth: true, dkim: true, proxy: true, disableFileAccess: true, disableUrlAccess: true,
  normalizeHeaderKey: true, maxRecipients: true, attachDataUrls: true,
} satisfies Record<keyof SMTPTransportOptions, true>;

/** A count or time of the pool: nodemailer takes these as they come, and a string there stalls the pool. */
const poolNumber = (min: number) => integerOption(min, 2_147_483_647);

const POOL_OPTIONS = {
  maxConnections: poolNumber(1), maxMessages: poolNumber(1), rateDelta: poolNumber(1), rateLimit: poolNumber(0),
  maxRequeues: poolNumber(-1), idleTimeout: poolNumber(0),
} satisfies Record<Exclude<keyof SMTPPoolOptions, keyof SMTPTransportOptions>, z.ZodType>;

/**
 * The SMTP options a flexq.toml or a handler's options usually set, checked here: nodemailer takes
 * `port = "x"` or `host = 5` and fails only when it sends, each job with an error of its own.
 */
const text = z.string().min(1).optional();
const flag = z.boolean().optional();
const timeout = integerOption(0, 2_147_483_647);
const TYPED_SMTP_OPTIONS = {
  host: text, port: integerOption(1, 65_535), secure: flag, ignoreTLS: flag, requireTLS: flag, opportunisticTLS: flag,
  service: text, url: text, name: text, localAddress: text, servername: text, pool: flag,
  connectionTimeout: timeout, greetingTimeout: timeout, socketTimeout: timeout, dnsTimeout: timeout,
} satisfies Partial<Record<keyof SMTPTransportOptions, z.ZodType>>;

const emailOptions = optionsSchema({
  ...(Object.fromEntries(Object.keys(SMTP_TRANSPORT_KEYS).map((key) => [key, checkedWhereUsed])) as Record<keyof SMTPTransportOptions, typeof checkedWhereUsed>),
  ...TYPED_SMTP_OPTIONS,
  ...POOL_OPTIONS,
  from: z.string().optional(),
} satisfies Record<keyof EmailHandlerOptions, z.ZodType>, { user: 'auth', username: 'auth', password: 'auth', pass: 'auth' });

/** A ready transport, such as one made by `nodemailer.createTransport()`. */
export interface EmailTransport {
  sendMail(message: SendMailOptions): Promise<unknown>;
}

/** `JobResult.data` of a sent email. */
export interface EmailResultData {
  messageId: string | undefined;
  /** Recipients the server accepted. */
  accepted: string[];
  /** Recipients the server refused while accepting the others. */
  rejected: string[];
  /** The server's final reply. */
  response: string | undefined;
}

/** The built-in email handler; `close()` releases the transport it created (pooled connections). */
export interface EmailHandler extends Handler {
  close(): void;
}

/** Errors about the message or the configuration itself: a retry would fail the same way. */
const PERMANENT_CODES = new Set(['ECONFIG', 'EENVELOPE', 'EMAXRECIPIENTS', 'EFILEACCESS', 'EURLACCESS', 'ENOAUTH']);

function isTransport(value: unknown): value is EmailTransport {
  return typeof value === 'object' && value !== null && typeof (value as { sendMail?: unknown }).sendMail === 'function';
}

/** True when a ready transport was created with its own `from` default, which we then leave alone. */
function transportHasDefaultFrom(transport: EmailTransport): boolean {
  const defaults: unknown = (transport as { _defaults?: unknown })._defaults;
  return typeof defaults === 'object' && defaults !== null && (defaults as { from?: unknown }).from !== undefined;
}

/**
 * Decides whether an SMTP failure is worth another attempt. nodemailer marks replies it
 * considers final (`permanent`, 5xx except 503); replies without that mark fall back to the
 * reply class, and failures without any reply (refused connection, timeout, TLS) are retried
 * unless they are about the message or configuration.
 */
function isPermanentFailure(err: NodemailerError): boolean {
  if (typeof err.permanent === 'boolean') return err.permanent;
  if (typeof err.responseCode === 'number') return err.responseCode >= 500 && err.responseCode !== 503;
  return err.code !== undefined && PERMANENT_CODES.has(err.code) && err.responseCode === undefined;
}

function describeFailure(err: NodemailerError): string {
  const tags = [err.code, err.responseCode].filter((tag) => tag !== undefined).join(' ');
  return `email not sent${tags ? ` (${tags})` : ''}: ${err.message}`;
}

function toAddressList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((entry) => (typeof entry === 'string' ? entry : String((entry as { address?: unknown }).address))) : [];
}

function toResultData(info: unknown): EmailResultData {
  const fields = (typeof info === 'object' && info !== null ? info : {}) as Record<string, unknown>;
  return {
    messageId: typeof fields['messageId'] === 'string' ? fields['messageId'] : undefined,
    accepted: toAddressList(fields['accepted']),
    rejected: toAddressList(fields['rejected']),
    response: typeof fields['response'] === 'string' ? fields['response'] : undefined,
  };
}

async function sendEmail(ctx: JobContext, job: Job, transport: EmailTransport, from: string | undefined): Promise<JobResult> {
  let message: SendMailOptions;
  try {
    message = buildEmailMessage(job.payload);
  } catch (err) {
    if (err instanceof InvalidEmailPayloadError) return { success: false, retry: false, error: err.message };
    throw err;
  }
  if (from !== undefined) message.from = from;
  // nodemailer's SMTP transports stop the conversation and close the socket when this aborts.
  message.signal = ctx.signal;
  try {
    const data = toResultData(await transport.sendMail(message));
    // Counts only: addresses are personal data and do not belong in logs.
    ctx.logger.info({ messageId: data.messageId, accepted: data.accepted.length, rejected: data.rejected.length }, 'email sent');
    return { success: true, data };
  } catch (caught) {
    const err = (caught instanceof Error ? caught : new Error(String(caught))) as NodemailerError;
    if (ctx.signal.aborted) {
      const reason: unknown = ctx.signal.reason;
      return { success: false, error: `email aborted: ${reason instanceof Error ? reason.message : String(reason)}` };
    }
    const error = describeFailure(err);
    ctx.logger.info({ code: err.code, responseCode: err.responseCode }, 'email not sent');
    return isPermanentFailure(err) ? { success: false, retry: false, error } : { success: false, error };
  }
}

/**
 * The built-in `email` handler: sends `{ to, subject, body, html?, cc?, bcc?, replyTo?, attachments? }`
 * over SMTP. Takes SMTP options plus `from`, or a ready nodemailer transport (whose own `from`
 * default, if any, is kept). Invalid payloads and 5xx rejections fail for good; connection
 * errors and 4xx replies are retried.
 */
export function emailJobHandler(transportOrOptions: EmailHandlerOptions | EmailTransport = {}): EmailHandler {
  const defaultFrom = `flexq@${hostname()}`;
  if (isTransport(transportOrOptions)) {
    const transport = transportOrOptions;
    const from = transportHasDefaultFrom(transport) ? undefined : defaultFrom;
    // A transport handed in belongs to the caller, who closes it.
    return { handle: (ctx, job) => sendEmail(ctx, job, transport, from), close: () => undefined };
  }
  checkOptions('emailJobHandler', emailOptions, transportOrOptions);
  const { from, ...smtpOptions } = transportOrOptions;
  const transport = nodemailer.createTransport(smtpOptions);
  return { handle: (ctx, job) => sendEmail(ctx, job, transport, from ?? defaultFrom), close: () => transport.close() };
}
