import { readFile } from 'node:fs/promises';
import { fileProblem } from '../shared/file-problem.js';
import { describeUrlText } from '../shared/secret-text.js';
import { dirname, isAbsolute, resolve as resolvePath } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { z } from 'zod';
import { DEFAULTS } from '../engine/defaults.js';
import { resolveAlerts } from './config-alerts.js';
import { ConfigError, configErrorMap, issuesFromZod, lineLocator, type ConfigIssue } from './config-errors.js';
import { unreadableFileIssues } from './config-files.js';
import { configFileSchema, prefixSchema, redisUrlSchema, type ConfigFile } from './config-schema.js';
import type { HandlerSettings, HostConfig, QueueSettings, RedisSettings, ScheduleSettings } from './config-types.js';
import { HOST_DEFAULTS } from './defaults.js';
import type { EnvVariable } from '../cli/names.js';
import { SAMPLE_CONFIG } from './sample-config.js';

/** Environment variables, as `process.env` holds them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Where `loadConfig` looks and what it reads the environment from. */
export interface LoadConfigOptions {
  /** `--config FILE`; when given, the file must exist. */
  path?: string;
  /** Folder searched for flexq.toml when `path` is not given; `process.cwd()` by default. */
  cwd?: string;
  /** `process.env` by default. */
  env?: Env;
}

/** Where a command's config comes from: `--config FILE`, and `--redis URL`, which stands for FLEXQ_REDIS_URL (over the file and the environment). */
export function configOptions(io: { cwd: string; env: Env }, options: { configPath?: string; redisUrl?: string }): LoadConfigOptions {
  const env = options.redisUrl === undefined ? io.env : { ...io.env, FLEXQ_REDIS_URL: options.redisUrl };
  return { ...(options.configPath === undefined ? {} : { path: options.configPath }), cwd: io.cwd, env };
}

/**
 * Reads, validates and resolves the configuration. Without `--config` and without a flexq.toml in
 * the folder, flexq runs on the sample that `flexq init` would write, so one command works on a
 * fresh machine; an explicit `--config` that does not exist is an error.
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<HostConfig> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const shown = options.path ?? HOST_DEFAULTS.configFileName;
  const file = resolvePath(cwd, shown);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && options.path === undefined) return parseConfig(SAMPLE_CONFIG, { file: null, baseDir: cwd, env });
    throw new ConfigError([{ source: shown, path: '', message: `cannot read the file: ${fileProblem(error)}` }]);
  }
  const config = parseConfig(source, { file, displayName: shown, env });
  const unreadable = await unreadableFileIssues(config, shown, source);
  if (unreadable.length > 0) throw new ConfigError(unreadable);
  return config;
}

/** What `parseConfig` needs besides the TOML text. */
export interface ParseConfigOptions {
  /** Absolute path of the file; relative paths inside it resolve against its folder. Null: none. */
  file: string | null;
  /** How errors name the file; the path itself by default. */
  displayName?: string;
  /** Folder relative paths resolve against when `file` is null; `process.cwd()` by default. */
  baseDir?: string;
  env?: Env;
}

/** Validates TOML text and the environment into a `HostConfig`; throws `ConfigError`. */
export function parseConfig(source: string, options: ParseConfigOptions): HostConfig {
  const shown = options.displayName ?? options.file ?? 'built-in sample config';
  let data: unknown;
  try {
    data = parseToml(source);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // smol-toml's message starts with a fixed phrase and ends with a code excerpt; the position
    // already points there, so the reason alone is kept.
    const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    // A string left open runs into the line's end, which smol-toml names as a control character.
    const hint = /control characters are not allowed in strings/.test(reason) ? ' (a string without its closing quote?)' : '';
    throw new ConfigError([{ source: shown, path: '', line: error.line, column: error.column, message: `invalid TOML: ${reason}${hint}` }]);
  }
  const forbidden = forbiddenKeyIssues(data, shown, source);
  if (forbidden.length > 0) throw new ConfigError(forbidden);
  const parsed = configFileSchema.safeParse(data, { error: configErrorMap });
  const fileIssues = parsed.success ? [] : issuesFromZod(parsed.error, shown, source);
  const { overrides, issues: envIssues } = readEnvOverrides(options.env ?? {});
  const alerts = parsed.success ? resolveAlerts(parsed.data.alerts, options.env ?? {}, shown, source) : { rules: [], issues: [] };
  const issues = [...fileIssues, ...envIssues, ...alerts.issues];
  if (!parsed.success || issues.length > 0) throw new ConfigError(issues);
  const baseDir = options.file === null ? (options.baseDir ?? process.cwd()) : dirname(options.file);
  return { ...resolveConfig(parsed.data, overrides, options.file, baseDir), alerts: alerts.rules };
}

/**
 * `__proto__` keys anywhere in the file. smol-toml keeps them as plain keys, but the schema drops
 * them without a word (a `[queues.__proto__]` table would leave no queue at all), and code that
 * copies options by assignment would turn one into a prototype; so they are refused, by line.
 */
function forbiddenKeyIssues(data: unknown, file: string, source: string): ConfigIssue[] {
  const locate = lineLocator(source);
  const issues: ConfigIssue[] = [];
  // smol-toml caps nesting, so this walk is shallow; a stack rather than recursion all the same.
  const stack: { value: unknown; path: string[] }[] = [{ value: data, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    for (const [key, item] of Object.entries(value)) {
      const keyPath = [...path, key];
      if (key === '__proto__') {
        issues.push({ source: file, path: keyPath.join('.'), line: locate(keyPath), message: 'the key "__proto__" is not allowed' });
      } else {
        stack.push({ value: item, path: keyPath });
      }
    }
  }
  return issues;
}

/** Connection and secret values taken from `FLEXQ_*` variables; they win over the file. */
interface EnvOverrides {
  url?: string;
  username?: string;
  password?: string;
  db?: number;
  prefix?: string;
  smtpPassword?: string;
  webhookSecret?: string;
}

const ENV_SCHEMAS = {
  FLEXQ_REDIS_URL: ['url', redisUrlSchema],
  FLEXQ_REDIS_USERNAME: ['username', z.string()],
  FLEXQ_REDIS_PASSWORD: ['password', z.string()],
  FLEXQ_REDIS_DB: ['db', z.string().regex(/^\d+$/, 'expected a non-negative integer').transform(Number)],
  FLEXQ_REDIS_PREFIX: ['prefix', prefixSchema],
  FLEXQ_SMTP_PASSWORD: ['smtpPassword', z.string()],
  FLEXQ_WEBHOOK_SECRET: ['webhookSecret', z.string()],
} as const satisfies Record<EnvVariable, readonly [keyof EnvOverrides, z.ZodType]>;

export { ENV_VARIABLES } from '../cli/names.js';

// An empty variable counts as unset: container tooling often defines every variable, empty or not.
function readEnvOverrides(env: Env): { overrides: EnvOverrides; issues: ConfigIssue[] } {
  const overrides: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [name, [key, schema]] of Object.entries(ENV_SCHEMAS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const result = schema.safeParse(raw);
    if (result.success) overrides[key] = result.data;
    else {
      // The value is quoted back so the user sees the typo, but a URL's user and password never
      // are: this message lands in terminals, CI logs and bug reports.
      const shown = name === 'FLEXQ_REDIS_URL' ? describeUrlText(raw) : raw;
      const message = `${result.error.issues[0]?.message ?? 'invalid value'} (got ${JSON.stringify(shown)})`;
      issues.push({ source: `environment variable ${name}`, path: '', message });
    }
  }
  return { overrides: overrides as EnvOverrides, issues };
}

function resolveConfig(file: ConfigFile, env: EnvOverrides, configFile: string | null, baseDir: string): Omit<HostConfig, 'alerts'> {
  const at = (path: string) => (isAbsolute(path) ? path : resolvePath(baseDir, path));
  const queueEntries = Object.entries(file.queues ?? { [HOST_DEFAULTS.queueName]: {} });
  return {
    configFile,
    redisConfigured: isRedisConfigured(file, env),
    redis: resolveRedis(file.redis ?? {}, env, at),
    queues: queueEntries.map(([name, queue]) => resolveQueue(name, queue)),
    handlers: Object.fromEntries(
      Object.entries(file.handlers ?? {}).map(([type, handler]) => [type, resolveHandler(handler, at)]),
    ),
    schedules: Object.entries(file.schedules ?? {}).map(([name, schedule]) => resolveSchedule(name, schedule, queueEntries[0]![0])),
    smtp: { ...HOST_DEFAULTS.smtp, ...file.smtp, ...definedOnly({ password: env.smtpPassword }) },
    webhook: {
      timeout: file.webhook?.timeout ?? HOST_DEFAULTS.webhookTimeout,
      ...definedOnly({
        blockPrivateAddresses: file.webhook?.blockPrivateAddresses,
        allowAddresses: file.webhook?.allowAddresses,
        signingSecret: env.webhookSecret ?? file.webhook?.signingSecret,
      }),
    },
    logging: {
      level: file.logging?.level ?? HOST_DEFAULTS.logLevel,
      ...definedOnly({ file: file.logging?.file === undefined ? undefined : at(file.logging.file) }),
    },
    metrics: { ...HOST_DEFAULTS.metrics, ...file.metrics },
    redact: file.redact ?? [...HOST_DEFAULTS.redact],
    shutdownTimeout: file.shutdownTimeout ?? HOST_DEFAULTS.shutdownTimeout,
    alertInterval: file.alertInterval ?? HOST_DEFAULTS.alerts.interval,
  };
}

// A prefix alone names no server; anything else about the connection means "use my Redis", so
// flexq never starts a password-less server in place of the one the user described.
function isRedisConfigured(file: ConfigFile, env: EnvOverrides): boolean {
  const { prefix: _prefix, connectTimeout: _timeout, ...connection } = file.redis ?? {};
  const fromFile = Object.values(connection).some((value) => value !== undefined);
  const fromEnv = [env.url, env.username, env.password, env.db].some((value) => value !== undefined);
  return fromFile || fromEnv;
}

type RedisTable = NonNullable<ConfigFile['redis']>;

function resolveRedis(redis: RedisTable, env: EnvOverrides, at: (path: string) => string): RedisSettings {
  // FLEXQ_REDIS_URL replaces the file's target whether the file used url or addr.
  const target = env.url !== undefined ? { url: env.url }
    : redis.url !== undefined ? { url: redis.url }
    : redis.cluster !== undefined ? { cluster: redis.cluster }
    : redis.sentinel !== undefined ? { sentinel: redis.sentinel }
    : { addr: redis.addr ?? DEFAULTS.addr };
  const tls = redis.tls === true ? {} : redis.tls === false ? undefined : redis.tls;
  return {
    ...target,
    ...definedOnly({
      username: env.username ?? redis.username,
      password: env.password ?? redis.password,
      db: env.db ?? redis.db,
      durability: redis.durability,
    }),
    ...(tls === undefined
      ? {}
      : {
          tls: {
            rejectUnauthorized: tls.rejectUnauthorized ?? true,
            ...definedOnly({ servername: tls.servername, caFile: tls.caFile === undefined ? undefined : at(tls.caFile) }),
          },
        }),
    prefix: env.prefix ?? redis.prefix ?? DEFAULTS.prefix,
    connectTimeout: redis.connectTimeout ?? DEFAULTS.connectTimeout,
  };
}

type QueueTable = NonNullable<ConfigFile['queues']>[string];

function resolveQueue(name: string, queue: QueueTable): QueueSettings {
  return {
    name,
    concurrency: queue.concurrency ?? DEFAULTS.numWorkers,
    pollTime: queue.pollTime ?? DEFAULTS.pollTime,
    visibilityTimeout: queue.visibilityTimeout ?? DEFAULTS.visibilityTimeout,
    maxRetries: queue.maxRetries ?? DEFAULTS.maxRetries,
    retryDelays: queue.retryDelays ?? [...DEFAULTS.retryDelays],
    ...definedOnly({ timeout: queue.timeout, maxPayloadBytes: queue.maxPayloadBytes, shards: queue.shards, rateLimit: queue.rateLimit,
      groupConcurrency: queue.groupConcurrency }),
    retention: {
      completed: { ...DEFAULTS.keepCompleted, ...definedOnly({ ...queue.retention?.completed }) },
      failed: { ...DEFAULTS.keepFailed, ...definedOnly({ ...queue.retention?.failed }) },
    },
  };
}

type HandlerTable = NonNullable<ConfigFile['handlers']>[string];

function resolveHandler(handler: HandlerTable, at: (path: string) => string): HandlerSettings {
  const options = handler.options ?? {};
  if (handler.builtin !== undefined) return { kind: 'builtin', builtin: handler.builtin, options };
  const module = handler.module ?? '';
  // "./x.js" and "../x.js" are files next to the config; a bare name is a package to import.
  const isFile = module.startsWith('.') || isAbsolute(module);
  return {
    kind: 'module', module: isFile ? at(module) : module, exportName: handler.export ?? 'default', options,
    ...definedOnly({ isolation: handler.isolation, killAfter: handler.killAfter }),
  };
}

type ScheduleTable = NonNullable<ConfigFile['schedules']>[string];

function resolveSchedule(name: string, schedule: ScheduleTable, firstQueue: string): ScheduleSettings {
  const { queue, cron, every, tz, type, payload, priority, maxAttempts } = schedule;
  return {
    name,
    queue: queue ?? firstQueue,
    timing: every === undefined ? { cron: cron!, ...definedOnly({ tz }) } : { every },
    job: { type, ...definedOnly({ payload, priority, maxAttempts }) },
  };
}

/** Drops undefined values so optional properties are absent rather than present-but-undefined. */
function definedOnly<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}
