import addressparser from 'nodemailer/lib/addressparser';
import type { Attachment, SendMailOptions } from 'nodemailer';

/** An attachment given inline in a job payload. */
export interface EmailAttachment {
  filename?: string;
  /** The attachment itself; with `encoding: 'base64'` it is base64 text. */
  content: string;
  encoding?: 'base64' | 'utf-8' | 'hex';
  contentType?: string;
  /** Content-ID, to embed an image in `html` as `<img src="cid:…">`. */
  cid?: string;
}

/** The payload of an `email` job. */
export interface EmailPayload {
  /** One address, a comma-separated list, or an array; `"Name <a@example.com>"` forms are fine. */
  to: string | string[];
  subject: string;
  /** Plain-text body. */
  body: string;
  html?: string;
  cc?: string | string[];
  bcc?: string | string[];
  replyTo?: string;
  attachments?: EmailAttachment[];
}

/** Raised for a payload no retry can fix: the job fails for good, naming the field. */
export class InvalidEmailPayloadError extends Error {
  override readonly name = 'InvalidEmailPayloadError';
}

/** Deliberately loose: the SMTP server is the judge of deliverability; this only catches obvious garbage. */
const MAILBOX_PATTERN = /^[^\s@<>()",;]+@[^\s@<>()",;]+$/;

/** Checks an address field and returns the list of bare addresses in it. */
function parseAddresses(value: unknown, field: string, required: boolean): string[] {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0)) {
    if (required) throw new InvalidEmailPayloadError(`payload.${field} is missing`);
    return [];
  }
  const entries: unknown[] = Array.isArray(value) ? value : [value];
  const addresses: string[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'string') throw new InvalidEmailPayloadError(`payload.${field} must be an address string or a list of them`);
    // Line breaks in an address would let a payload add its own headers to the message.
    if (/[\r\n]/.test(entry)) throw new InvalidEmailPayloadError(`payload.${field} contains a line break`);
    const mailboxes = addressparser(entry, { flatten: true });
    if (mailboxes.length === 0) throw new InvalidEmailPayloadError(`payload.${field} has no address in "${entry}"`);
    for (const { address } of mailboxes) {
      if (!MAILBOX_PATTERN.test(address)) throw new InvalidEmailPayloadError(`payload.${field} has a malformed address "${address || entry}"`);
      addresses.push(address);
    }
  }
  return addresses;
}

function optionalString(payload: Record<string, unknown>, field: string): string | undefined {
  const value = payload[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new InvalidEmailPayloadError(`payload.${field} must be a string`);
  return value;
}

/**
 * Only inline content is accepted: nodemailer would otherwise read `path` and `href` attachments
 * from the worker's disk or network, which a job payload must never be able to ask for.
 */
function parseAttachments(value: unknown): Attachment[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new InvalidEmailPayloadError('payload.attachments must be a list');
  return value.map((item: unknown, index): Attachment => {
    const where = `payload.attachments[${index}]`;
    if (typeof item !== 'object' || item === null) throw new InvalidEmailPayloadError(`${where} must be a table`);
    const entry = item as Record<string, unknown>;
    if (typeof entry['content'] !== 'string') throw new InvalidEmailPayloadError(`${where}.content must be a string (inline content only)`);
    const encoding = entry['encoding'];
    if (encoding !== undefined && encoding !== 'base64' && encoding !== 'utf-8' && encoding !== 'hex') {
      throw new InvalidEmailPayloadError(`${where}.encoding must be base64, utf-8 or hex`);
    }
    const attachment: Attachment = { content: entry['content'] };
    for (const key of ['filename', 'contentType', 'cid'] as const) {
      const field = entry[key];
      if (field === undefined) continue;
      if (typeof field !== 'string') throw new InvalidEmailPayloadError(`${where}.${key} must be a string`);
      attachment[key] = field;
    }
    if (encoding !== undefined) attachment.encoding = encoding;
    return attachment;
  });
}

/** Validates a job payload into nodemailer message fields, or throws `InvalidEmailPayloadError` naming the bad field. */
export function buildEmailMessage(payload: Record<string, unknown>): SendMailOptions {
  const to = payload['to'];
  parseAddresses(to, 'to', true);
  const subject = optionalString(payload, 'subject');
  if (subject === undefined || subject.trim() === '') throw new InvalidEmailPayloadError('payload.subject is missing');
  const text = optionalString(payload, 'body');
  const html = optionalString(payload, 'html');
  if (text === undefined && html === undefined) throw new InvalidEmailPayloadError('payload.body is missing (give body, html or both)');
  const message: SendMailOptions = { to: to as string | string[], subject, text, html };
  if (parseAddresses(payload['cc'], 'cc', false).length > 0) message.cc = payload['cc'] as string | string[];
  if (parseAddresses(payload['bcc'], 'bcc', false).length > 0) message.bcc = payload['bcc'] as string | string[];
  if (parseAddresses(payload['replyTo'], 'replyTo', false).length > 0) message.replyTo = payload['replyTo'] as string;
  const attachments = parseAttachments(payload['attachments']);
  if (attachments !== undefined) message.attachments = attachments;
  return message;
}
