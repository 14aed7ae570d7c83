import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../shared/duration.js';
import { MAX_GROUP_CONCURRENCY, MAX_RATE_LIMIT } from '../engine/rate-limit.js';
import { describeRange, LIMITS, RATE_WINDOW_RANGE, SCHEDULE_RANGE, TIMER_OR_ZERO_RANGE, TIMER_RANGE, type DurationRange } from './limits.js';
import { NAME_PATTERN, PREFIX_PATTERN } from '../cli/names.js';
import { isKnownTimeZone, SCHEDULE_NAME_PATTERN, scheduleDefinition, unknownTimeZoneMessage } from '../engine/schedule-spec.js';
import { HOST_DEFAULTS } from './defaults.js';
import { redisUrlProblem } from '../shared/redis-url.js';
import { MAX_SHARDS } from '../engine/shards.js';

// The schemas describe flexq.toml as written: durations become milliseconds here, but defaults
// are applied later (config.ts), so "was this key given?" stays answerable, e.g. for
// `redisConfigured`.

/** Names of the built-in handlers a `[handlers.<type>]` table may pick. */
export const BUILTIN_HANDLERS = ['email', 'webhook', 'sleep'] as const;
/** One of the built-in handler names. */
export type BuiltinHandlerName = (typeof BUILTIN_HANDLERS)[number];

/** pino's log levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
/** One of pino's log levels. */
export type LogLevel = (typeof LOG_LEVELS)[number];

export { NAME_PATTERN, PREFIX_PATTERN } from '../cli/names.js';
const ADDR_PATTERN = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):\d{1,5}$/;
// A redact path is dot-separated keys from the payload root; `*` stands for any one key.
const REDACT_PATTERN = /^(\*|[A-Za-z0-9_-]+)(\.(\*|[A-Za-z0-9_-]+))*$/;

/** A strict table: unknown keys are errors that list the keys the table does know. */
function table<Shape extends z.ZodRawShape>(shape: Shape) {
  const names = Object.keys(shape);
  return z.strictObject(shape, {
    // issuesFromZod splits the issue per key and adds each one's "did you mean" from this list.
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown key; expected one of: ${names.join(', ')}` : undefined),
  });
}

/** A duration within `range` (see limits.ts for why timers and stored times differ). */
function duration(range: DurationRange) {
  return z
    .union([z.number(), z.string()], { error: `expected a duration: ${DURATION_HINT}` })
    .transform((value, ctx) => {
      let ms: number;
      try {
        ms = parseDuration(value);
      } catch (error) {
        ctx.issues.push({ code: 'custom', input: value, message: (error as Error).message });
        return z.NEVER;
      }
      if (ms < range.min || ms > range.max) {
        ctx.issues.push({ code: 'custom', input: value, message: `expected ${describeRange(range)}, got ${JSON.stringify(value)}` });
        return z.NEVER;
      }
      return ms;
    });
}

const positiveInt = z.int().min(1);
const concurrency = z.int().min(1).max(LIMITS.maxConcurrency, `expected an integer from 1 to ${LIMITS.maxConcurrency}`);
const nonNegativeInt = z.int().min(0);
const port = z.int().min(1).max(65_535);
/** A port to listen on: 0 asks the system for any free one (the bound address is logged). */
const listenPort = z.int().min(0).max(65_535);

/** `redis://` or `rediss://` url. */
export const redisUrlSchema = z.string().superRefine((text, ctx) => {
  const problem = redisUrlProblem(text);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', input: text, message: problem });
});

/** A Redis key prefix. */
export const prefixSchema = z
  .string()
  .regex(PREFIX_PATTERN, 'expected letters, digits, "_", ".", ":" or "-", starting with a letter or digit');

const tlsTable = table({
  rejectUnauthorized: z.boolean().optional(),
  servername: z.string().min(1).optional(),
  caFile: z.string().min(1).optional(),
});

const addrSchema = z.string().regex(ADDR_PATTERN, 'expected "host:port", e.g. "localhost:6379"');

const redisTable = table({
  url: redisUrlSchema.optional(),
  addr: addrSchema.optional(),
  /** A Redis Cluster, by some of its nodes. */
  cluster: z.array(addrSchema).min(1, 'expected at least one "host:port"').optional(),
  /** A primary watched by Redis Sentinel. */
  sentinel: table({
    name: z.string().min(1, 'expected the name the sentinels monitor the primary by'),
    nodes: z.array(addrSchema).min(1, 'expected at least one "host:port"'),
    username: z.string().optional(),
    password: z.string().optional(),
  }).optional(),
  durability: z.enum(['primary', 'replicated']).optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  db: nonNegativeInt.optional(),
  tls: z.union([z.boolean(), tlsTable], { error: 'expected true, false or a table' }).optional(),
  prefix: prefixSchema.optional(),
  connectTimeout: duration(TIMER_RANGE).optional(),
}).refine((redis) => [redis.url, redis.addr, redis.cluster, redis.sentinel].filter((target) => target !== undefined).length <= 1, {
  message: 'give one of url, addr, cluster and sentinel',
});

const retentionPolicy = table({ age: duration(SCHEDULE_RANGE).optional(), count: nonNegativeInt.optional() });

const queueTable = table({
  concurrency: concurrency.optional(),
  pollTime: duration(TIMER_RANGE).optional(),
  visibilityTimeout: duration(TIMER_RANGE).optional(),
  maxRetries: positiveInt.optional(),
  // Retry delays are due times in Redis, not timers, so a long one (a day, a month) is fine.
  retryDelays: z.array(duration(SCHEDULE_RANGE)).min(1, 'expected at least one delay').optional(),
  timeout: duration(TIMER_RANGE).optional(),
  /** Largest payload a dispatch may carry, in bytes of its JSON (the engine's maxPayloadBytes). */
  maxPayloadBytes: z.number().int('expected a whole number of bytes').min(2).max(512 * 1024 * 1024).optional(),
  /** Hash slots the queue is spread over (the engine's `shards`). */
  shards: z.number().int('expected a whole number of shards').min(1).max(MAX_SHARDS).optional(),
  retention: table({ completed: retentionPolicy.optional(), failed: retentionPolicy.optional() }).optional(),
  /** At most `max` jobs of the queue start in any `per` (the engine's setRateLimit). */
  rateLimit: table({
    max: z.int().min(1, `expected an integer from 1 to ${MAX_RATE_LIMIT}`).max(MAX_RATE_LIMIT, `expected an integer from 1 to ${MAX_RATE_LIMIT}`),
    per: duration(RATE_WINDOW_RANGE),
  }).optional(),
  /** At most this many jobs of one fair group run at once (the engine's setGroupConcurrency). */
  groupConcurrency: z.int().min(1, `expected an integer from 1 to ${MAX_GROUP_CONCURRENCY}`)
    .max(MAX_GROUP_CONCURRENCY, `expected an integer from 1 to ${MAX_GROUP_CONCURRENCY}`).optional(),
}).refine((queue) => queue.rateLimit === undefined || queue.rateLimit.max < 1 || queue.rateLimit.max >= (queue.shards ?? 1), {
  // Each shard enforces a share of max (see the engine's rateLimitShares): none may get 0. A max
  // below 1 is refused by its own check above, which says all there is to say.
  message: 'expected at least one per shard (each shard takes a share of max)', path: ['rateLimit', 'max'],
});

/** Where a module handler runs: in the worker's thread, or in a thread or child process it can kill. */
export const ISOLATIONS = ['none', 'thread', 'process'] as const;

const handlerTable = table({
  builtin: z.enum(BUILTIN_HANDLERS, { error: `expected one of: ${BUILTIN_HANDLERS.join(', ')}` }).optional(),
  module: z.string().min(1).optional(),
  export: z.string().min(1).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  isolation: z.enum(ISOLATIONS, { error: `expected one of: ${ISOLATIONS.join(', ')}` }).optional(),
  killAfter: duration(TIMER_RANGE).optional(),
})
  .refine((h) => (h.builtin === undefined) !== (h.module === undefined), {
    message: 'give exactly one of builtin = "…" or module = "./path.js"',
  })
  .refine((h) => h.export === undefined || h.module !== undefined, {
    message: 'export applies only to module handlers',
  })
  .refine((h) => (h.isolation === undefined && h.killAfter === undefined) || h.module !== undefined, {
    message: 'isolation and killAfter apply only to module handlers',
  });

/** One `[schedules.<name>]`: checked as `q.schedule` checks it, so a bad cron names its line. */
const scheduleTable = table({
  queue: z.string().optional(),
  cron: z.string().optional(),
  every: duration(SCHEDULE_RANGE).optional(),
  // Checked here too, so the message names the tz key and its line rather than the table.
  tz: z.string().refine(isKnownTimeZone, { error: (issue) => unknownTimeZoneMessage(String(issue.input)), abort: true }).optional(),
  type: z.string(),
  payload: z.record(z.string(), z.unknown()).optional(),
  priority: z.int().optional(),
  maxAttempts: positiveInt.optional(),
}).superRefine((schedule, ctx) => {
  const { queue: _queue, cron, every, tz, ...job } = schedule;
  try {
    scheduleDefinition('schedule', 'config', { cron, every, tz }, job, 'config', Number.MAX_SAFE_INTEGER);
  } catch (error) {
    const message = (error as Error).message.replace(/^schedule: /, '');
    // Named at the key it is about, so it points at that key's line rather than the table's.
    const key = /^(?:invalid )?(cron|every)\b/.exec(message)?.[1];
    ctx.addIssue({ code: 'custom', message, ...(key === undefined ? {} : { path: [key] }) });
  }
});

const smtpTable = table({
  host: z.string().min(1).optional(),
  port: port.optional(),
  secure: z.boolean().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  from: z.string().min(1).optional(),
});

/** A CIDR range such as "10.0.0.0/8" or "fd00::/8", checked here so a typo names its line. */
const cidrSchema = z.string().refine((text) => {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}, { message: 'expected a CIDR range such as "10.0.0.0/8" or "fd00::/8"' });

const webhookTable = table({
  timeout: duration(TIMER_RANGE).optional(),
  signingSecret: z.string().min(1).optional(),
  blockPrivateAddresses: z.boolean().optional(),
  allowAddresses: z.array(cidrSchema).optional(),
});

const loggingTable = table({
  level: z.enum(LOG_LEVELS, { error: `expected one of: ${LOG_LEVELS.join(', ')}` }).optional(),
  file: z.string().min(1).optional(),
});

const metricsTable = table({
  enabled: z.boolean().optional(),
  host: z.string().min(1).optional(),
  port: listenPort.optional(),
});

/** The conditions an `[alerts.<name>]` rule may watch; each rule watches exactly one. */
export const ALERT_CONDITIONS = ['failureRate', 'backlogAbove', 'oldestWaiting', 'noWorkers'] as const;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
// The failure rate is read from the per-minute history, which keeps a day.
const WINDOW_RANGE: DurationRange = { min: 60_000, max: 86_400_000 };

const webhookUrl = z.string().refine((text) => {
  try {
    return ['http:', 'https:'].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}, { message: 'expected an http:// or https:// url' });
const emailAddress = z.email({ error: 'expected an email address such as "oncall@example.com"' });

const alertTable = table({
  /** A queue name, or "*" for every queue. */
  queue: z.string({ error: 'expected a queue name, or "*" for every queue' }),
  failureRate: z.number().gt(0, 'expected a fraction above 0, e.g. 0.2').max(1, 'expected a fraction up to 1, e.g. 0.2').optional(),
  window: duration(WINDOW_RANGE).optional(),
  minJobs: positiveInt.optional(),
  backlogAbove: nonNegativeInt.optional(),
  oldestWaiting: duration(SCHEDULE_RANGE).optional(),
  noWorkers: z.literal(true, { error: 'expected true' }).optional(),
  webhook: webhookUrl.optional(),
  webhookEnv: z.string().regex(ENV_NAME_PATTERN, 'expected the name of an environment variable, e.g. "SLACK_WEBHOOK_URL"').optional(),
  email: z.union([emailAddress, z.array(emailAddress).min(1, 'expected at least one address')]).optional(),
  coolDown: duration(SCHEDULE_RANGE).optional(),
})
  .refine((rule) => ALERT_CONDITIONS.filter((condition) => rule[condition] !== undefined).length === 1, {
    message: `give exactly one condition: ${ALERT_CONDITIONS.join(', ')}`,
  })
  .refine((rule) => rule.failureRate !== undefined || (rule.window === undefined && rule.minJobs === undefined), {
    message: 'window and minJobs apply only to failureRate',
  })
  .refine((rule) => rule.webhook !== undefined || rule.webhookEnv !== undefined || rule.email !== undefined, {
    message: 'give where to send it: webhook = "https://…", webhookEnv = "VARIABLE" or email = "…"',
  })
  .refine((rule) => rule.webhook === undefined || rule.webhookEnv === undefined, {
    message: 'give one of webhook and webhookEnv',
  });

const nameKey = z.string().regex(NAME_PATTERN, 'expected letters, digits, "_", "." or "-", starting with a letter or digit');

/** The whole of flexq.toml as written. */
export const configFileSchema = table({
  redact: z.array(z.string().regex(REDACT_PATTERN, 'expected a dotted path such as "headers.authorization"')).optional(),
  redis: redisTable.optional(),
  // [queues.<name>] rather than [[queues]]: TOML itself then rejects two queues of one name, and
  // error paths read queues.emails.concurrency instead of queues.3.concurrency.
  queues: z.record(nameKey, queueTable, { error: tableOfTables('queues', 'default') }).optional(),
  handlers: z.record(nameKey, handlerTable, { error: tableOfTables('handlers', 'email') }).optional(),
  schedules: z.record(z.string().regex(SCHEDULE_NAME_PATTERN, 'expected 1 to 100 letters, digits, "_", ".", ":" or "-"'), scheduleTable, { error: tableOfTables('schedules', 'nightly') }).optional(),
  smtp: smtpTable.optional(),
  webhook: webhookTable.optional(),
  logging: loggingTable.optional(),
  metrics: metricsTable.optional(),
  shutdownTimeout: duration(TIMER_OR_ZERO_RANGE).optional(),
  /** How often a host checks the `[alerts]` rules. */
  alertInterval: duration(TIMER_RANGE).optional(),
  alerts: z.record(nameKey, alertTable, { error: tableOfTables('alerts', 'backlog') }).optional(),
}).superRefine((file, ctx) => {
  // A rule's or a schedule's queue must be one this file hosts, so a typo is caught at start, not
  // at 3 a.m.; a schedule is fired by its queue's workers.
  const queues = Object.keys(file.queues ?? { [HOST_DEFAULTS.queueName]: {} });
  for (const [name, rule] of Object.entries(file.alerts ?? {})) {
    if (rule.queue === '*' || queues.includes(rule.queue)) continue;
    ctx.addIssue({
      code: 'custom', path: ['alerts', name, 'queue'], input: rule.queue,
      message: `unknown queue ${JSON.stringify(rule.queue)}; expected one of: ${queues.join(', ')}, or "*" for every queue`,
    });
  }
  for (const [name, schedule] of Object.entries(file.schedules ?? {})) {
    if (schedule.queue !== undefined && !queues.includes(schedule.queue)) {
      ctx.addIssue({ code: 'custom', path: ['schedules', name, 'queue'], message: `expected one of the configured queues: ${queues.join(', ')}` });
    }
  }
});

/** flexq.toml as written, durations already in milliseconds. */
export type ConfigFile = z.output<typeof configFileSchema>;

/** The message for a `[[name]]` array or a plain value where `[name.<key>]` tables belong. */
function tableOfTables(name: string, example: string) {
  return (issue: { code: string }) =>
    issue.code === 'invalid_type' ? `expected [${name}.<name>] tables such as [${name}.${example}]` : undefined;
}

