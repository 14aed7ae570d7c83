import type { RateLimit, RetentionPolicy } from '../engine/types.js';
import type { ScheduleTiming, ScheduledJob } from '../engine/schedule-spec.js';
import type { BuiltinHandlerName, LogLevel } from './config-schema.js';

/** Everything the `flexq` executable needs, fully resolved: defaults applied, durations in ms. */
export interface HostConfig {
  /** Absolute path of the file read, or null when there was none and the sample was used. */
  configFile: string | null;
  /** True when the file or the environment says anything about the Redis connection; when false,
   *  flexq may start its own redis-server if nothing answers on the default address. */
  redisConfigured: boolean;
  redis: RedisSettings;
  /** Hosted queues in file order; one worker each. Never empty. */
  queues: QueueSettings[];
  /** Handler of each job type. */
  handlers: Record<string, HandlerSettings>;
  /** `[schedules.<name>]`: the host makes each queue's file-defined schedules match these at start. */
  schedules: ScheduleSettings[];
  smtp: SmtpSettings;
  webhook: WebhookSettings;
  logging: LoggingSettings;
  metrics: MetricsSettings;
  /** Payload paths masked in logs and the console; `*` matches any one key. */
  redact: string[];
  /** On SIGINT/SIGTERM, how long running jobs may take before they are handed back to the queue. */
  shutdownTimeout: number;
  /** The `[alerts]` rules, in file order. */
  alerts: AlertRule[];
  /** How often a host checks the alert rules, ms. */
  alertInterval: number;
}

/** One `[alerts.<name>]` rule: a condition on a queue (or every queue), and where its notices go. */
export interface AlertRule {
  name: string;
  /** A queue of `[queues]`, or `*` for all of them. */
  queue: string;
  condition:
    | { kind: 'failureRate'; /** Fraction of finished jobs that failed, 0 to 1. */ rate: number; /** ms, whole minutes of history. */ window: number; /** Fewer finished jobs in the window never fire. */ minJobs: number }
    | { kind: 'backlogAbove'; /** Fires above this many jobs ready to run. */ jobs: number }
    | { kind: 'oldestWaiting'; /** Fires when the oldest ready job has waited longer, ms. */ age: number }
    | { kind: 'noWorkers' };
  /** No second firing notice within this long of the last, ms. */
  coolDown: number;
  /** Webhook url (Slack-compatible `{ text }` body). */
  webhook?: string;
  /** Email recipients, sent through `[smtp]`. */
  email?: string[];
}

/** The Redis connection; exactly one of `url`, `addr`, `cluster` and `sentinel` is set. */
export interface RedisSettings {
  url?: string;
  addr?: string;
  /** Some nodes of a Redis Cluster (`host:port`). */
  cluster?: string[];
  /** A Sentinel-watched primary: its name and some sentinels (`host:port`). */
  sentinel?: { name: string; nodes: string[]; username?: string; password?: string };
  /** `replicated`: a dispatch waits until a replica has the job. */
  durability?: 'primary' | 'replicated';
  username?: string;
  password?: string;
  /** Undefined leaves the database to the url, or 0. */
  db?: number;
  /** Undefined means plain TCP (unless the url is `rediss://`). */
  tls?: TlsSettings;
  prefix: string;
  connectTimeout: number;
}

/** TLS towards Redis; `caFile` is an absolute path. */
export interface TlsSettings {
  rejectUnauthorized: boolean;
  servername?: string;
  caFile?: string;
}

/** One hosted queue and its worker. */
export interface QueueSettings {
  name: string;
  /** Handlers of this queue's worker that run at once. */
  concurrency: number;
  pollTime: number;
  visibilityTimeout: number;
  /** Default total attempts of a job. */
  maxRetries: number;
  retryDelays: number[];
  /** Per-attempt time limit for jobs that carry none; undefined means no limit. */
  timeout?: number;
  /** Largest payload a dispatch may carry, bytes of JSON; undefined means the engine's 1 MiB. */
  maxPayloadBytes?: number;
  /** Hash slots the queue is spread over; undefined means one. */
  shards?: number;
  retention: { completed: RetentionPolicy; failed: RetentionPolicy };
  /** At most `max` jobs start in any `per` ms; undefined means no limit (a starting host lifts a stored one). */
  rateLimit?: RateLimit;
  /** At most this many jobs of one fair group run at once; undefined means no cap (a starting host lifts a stored one). */
  groupConcurrency?: number;
}

/** Where a job type's handler comes from. */
export type HandlerSettings =
  | { kind: 'builtin'; builtin: BuiltinHandlerName; options: Record<string, unknown> }
  | {
      kind: 'module';
      /** Absolute path (resolved against the config file's folder) or a package name. */
      module: string;
      /** The module export holding the handler; `default` unless given. */
      exportName: string;
      options: Record<string, unknown>;
      /** Where it runs; undefined: in the worker's own thread. */
      isolation?: 'none' | 'thread' | 'process';
      /** Ms it may run on after its signal aborted before its thread or process is killed. */
      killAfter?: number;
    };

/** One schedule of the file. */
export interface ScheduleSettings {
  name: string;
  /** A configured queue; the first one unless given. */
  queue: string;
  timing: ScheduleTiming;
  job: ScheduledJob;
}

/** SMTP server of the email built-in. */
export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  username?: string;
  password?: string;
  /** Sender address; the email built-in picks `flexq@<hostname>` when undefined. */
  from?: string;
}

/** Settings of the webhook built-in. */
export interface WebhookSettings {
  timeout: number;
  /** When set, requests carry a signature of their body made with this secret. */
  signingSecret?: string;
  /** Undefined: the mode decides (on with `--headless`, off in the console). */
  blockPrivateAddresses?: boolean;
  /** CIDR ranges exempt from `blockPrivateAddresses`: internal receivers the operator trusts. */
  allowAddresses?: string[];
}

/** Log output. */
export interface LoggingSettings {
  level: LogLevel;
  /** Absolute path of a log file; undefined logs to stdout. */
  file?: string;
}

/** The /healthz and /metrics listener. */
export interface MetricsSettings {
  enabled: boolean;
  host: string;
  port: number;
}
