import type { Handler } from '../engine/types.js';
import { parseDuration } from '../shared/duration.js';
import { emailJobHandler, type EmailHandlerOptions } from './email.js';
import { sleepJobHandler, type SleepHandlerOptions } from './sleep.js';
import { webhookJobHandler, type WebhookHandlerOptions } from './webhook.js';

/** Names of the handlers that ship with flexq. */
export const BUILTIN_HANDLER_NAMES = ['email', 'webhook', 'sleep'] as const;
/** One of `BUILTIN_HANDLER_NAMES`. */
export type BuiltinHandlerName = (typeof BUILTIN_HANDLER_NAMES)[number];

/** Raised for an unknown built-in name or options that do not fit the built-in. */
export class BuiltinHandlerError extends Error {
  override readonly name = 'BuiltinHandlerError';
}

/** A duration option in ms (milliseconds, or a string such as "30s", as `flexq.toml` allows). */
function toDurationMs(value: unknown, field: string, handler = 'webhook'): number {
  try {
    return parseDuration(value);
  } catch {
    throw new BuiltinHandlerError(`${handler} option ${field} must be milliseconds or a duration such as "30s", got ${JSON.stringify(value)}`);
  }
}

/** Checks a `flexq.toml` webhook table; unknown keys are errors so a typo does not silently drop, say, the signing secret. */
function toWebhookOptions(options: Record<string, unknown>): WebhookHandlerOptions {
  const result: WebhookHandlerOptions = {};
  for (const [key, value] of Object.entries(options)) {
    switch (key) {
      case 'timeout':
      case 'maxRetryAfter':
        result[key] = toDurationMs(value, key);
        break;
      case 'maxRedirects':
        if (!Number.isInteger(value) || (value as number) < 0) throw new BuiltinHandlerError('webhook option maxRedirects must be a whole number');
        result.maxRedirects = value as number;
        break;
      case 'signingSecret':
        if (typeof value !== 'string' || value === '') throw new BuiltinHandlerError('webhook option signingSecret must be a non-empty string');
        result.signingSecret = value;
        break;
      case 'blockPrivateAddresses':
        if (typeof value !== 'boolean') throw new BuiltinHandlerError('webhook option blockPrivateAddresses must be true or false');
        result.blockPrivateAddresses = value;
        break;
      case 'allowAddresses':
        if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
          throw new BuiltinHandlerError('webhook option allowAddresses must be a list of CIDR ranges such as "10.1.2.0/24"');
        }
        result.allowAddresses = value as string[];
        break;
      case 'headers':
        if (typeof value !== 'object' || value === null || Object.values(value).some((v) => typeof v !== 'string')) {
          throw new BuiltinHandlerError('webhook option headers must be a table of strings');
        }
        result.headers = value as Record<string, string>;
        break;
      default:
        throw new BuiltinHandlerError(
          `unknown webhook option "${key}" (known: timeout, headers, signingSecret, blockPrivateAddresses, allowAddresses, maxRetryAfter, maxRedirects)`,
        );
    }
  }
  return result;
}

/** Checks a `flexq.toml` sleep table: `ms` only, as milliseconds or a duration string. */
function toSleepOptions(options: Record<string, unknown>): SleepHandlerOptions {
  const unknown = Object.keys(options).filter((key) => key !== 'ms');
  if (unknown.length > 0) throw new BuiltinHandlerError(`unknown sleep option "${unknown[0]}" (known: ms)`);
  return options['ms'] === undefined ? {} : { ms: toDurationMs(options['ms'], 'ms', 'sleep') };
}

/**
 * The built-in handler called `name` (`'email'`, `'webhook'` or `'sleep'`), configured from a
 * `flexq.toml` table. Email options go to nodemailer as SMTP transport options (plus `from`);
 * webhook options are checked and accept duration strings; sleep takes `ms`.
 */
export function builtinHandler(name: string, options: Record<string, unknown> = {}): Handler {
  switch (name) {
    case 'email':
      if (options['from'] !== undefined && typeof options['from'] !== 'string') throw new BuiltinHandlerError('email option from must be a string');
      return emailJobHandler(options as EmailHandlerOptions);
    case 'webhook':
      return webhookJobHandler(toWebhookOptions(options));
    case 'sleep':
      return sleepJobHandler(toSleepOptions(options));
    default:
      throw new BuiltinHandlerError(`unknown built-in handler "${name}"; built-ins are: ${BUILTIN_HANDLER_NAMES.join(', ')}`);
  }
}
