import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/engine/defaults.js';
import { loadConfig } from '../../src/config/config.js';
import { HOST_DEFAULTS } from '../../src/config/defaults.js';
import { queueSettings } from '../../src/config/redis-target.js';
import { errorOf, FILE, parse } from './config-helpers.js';

describe('defaults', () => {
  it('an empty file hosts the default queue on localhost with engine defaults', () => {
    const config = parse('');
    expect(config.redisConfigured).toBe(false);
    expect(config.configFile).toBe(FILE);
    expect(config.redis).toEqual({ addr: DEFAULTS.addr, prefix: DEFAULTS.prefix, connectTimeout: DEFAULTS.connectTimeout });
    expect(config.queues).toEqual([
      {
        name: HOST_DEFAULTS.queueName,
        concurrency: DEFAULTS.numWorkers,
        pollTime: DEFAULTS.pollTime,
        visibilityTimeout: DEFAULTS.visibilityTimeout,
        maxRetries: DEFAULTS.maxRetries,
        retryDelays: [...DEFAULTS.retryDelays],
        retention: { completed: DEFAULTS.keepCompleted, failed: DEFAULTS.keepFailed },
      },
    ]);
    expect(config.handlers).toEqual({});
    expect(config.smtp).toEqual(HOST_DEFAULTS.smtp);
    expect(config.webhook).toEqual({ timeout: HOST_DEFAULTS.webhookTimeout });
    expect(config.shutdownTimeout).toBe(HOST_DEFAULTS.shutdownTimeout);
    expect(config.logging).toEqual({ level: 'info' });
    expect(config.metrics).toEqual(HOST_DEFAULTS.metrics);
    expect(config.redact).toEqual(HOST_DEFAULTS.redact);
  });

  it('keeps defaults for the keys a table leaves out', () => {
    const config = parse('[queues.emails]\nconcurrency = 8\n[queues.emails.retention]\nfailed = { count = 5 }\n');
    const [emails] = config.queues;
    expect(emails?.concurrency).toBe(8);
    expect(emails?.pollTime).toBe(DEFAULTS.pollTime);
    expect(emails?.retention.failed).toEqual({ age: DEFAULTS.keepFailed.age, count: 5 });
    expect(emails?.timeout).toBeUndefined();
  });
});

describe('a full file', () => {
  const source = `
redact = ["card.number", "headers.*"]
[redis]
url = "rediss://user@redis.example:6380/2"
password = "file-secret"
tls = { rejectUnauthorized = false, caFile = "certs/ca.pem" }
prefix = "shop"
connectTimeout = "2s"

[queues.emails]
concurrency = 10
pollTime = "500ms"
visibilityTimeout = "1m"
maxRetries = 5
retryDelays = ["1s", 2000, "1m30s"]
timeout = "2h30m"
retention = { completed = { age = "1h", count = 10 }, failed = { age = "7d" } }

[queues.hooks]

[handlers.email]
builtin = "email"
options = { from = "shop@example.com" }

[handlers.report]
module = "./handlers/report.js"
export = "reportHandler"

[handlers.pdf]
module = "pdf-handler-package"

[smtp]
host = "smtp.example"
port = 465
secure = true
username = "mailer"
from = "shop@example.com"

[webhook]
timeout = "5s"
signingSecret = "whsec"
blockPrivateAddresses = true

[logging]
level = "debug"
file = "logs/flexq.log"

[metrics]
enabled = false
host = "0.0.0.0"
port = 9100
`;

  it('resolves every table, durations in ms and paths against the file folder', () => {
    const config = parse(source);
    expect(config.redisConfigured).toBe(true);
    expect(config.redis).toEqual({
      url: 'rediss://user@redis.example:6380/2',
      password: 'file-secret',
      tls: { rejectUnauthorized: false, caFile: '/etc/flexq/certs/ca.pem' },
      prefix: 'shop',
      connectTimeout: 2_000,
    });
    expect(config.queues.map((q) => q.name)).toEqual(['emails', 'hooks']);
    expect(config.queues[0]).toEqual({
      name: 'emails',
      concurrency: 10,
      pollTime: 500,
      visibilityTimeout: 60_000,
      maxRetries: 5,
      retryDelays: [1_000, 2_000, 90_000],
      timeout: 9_000_000,
      retention: { completed: { age: 3_600_000, count: 10 }, failed: { age: 7 * 86_400_000, count: DEFAULTS.keepFailed.count } },
    });
    expect(config.handlers).toEqual({
      email: { kind: 'builtin', builtin: 'email', options: { from: 'shop@example.com' } },
      report: { kind: 'module', module: '/etc/flexq/handlers/report.js', exportName: 'reportHandler', options: {} },
      pdf: { kind: 'module', module: 'pdf-handler-package', exportName: 'default', options: {} },
    });
    expect(config.smtp).toEqual({ host: 'smtp.example', port: 465, secure: true, username: 'mailer', from: 'shop@example.com' });
    expect(config.webhook).toEqual({ timeout: 5_000, signingSecret: 'whsec', blockPrivateAddresses: true });
    expect(config.logging).toEqual({ level: 'debug', file: '/etc/flexq/logs/flexq.log' });
    expect(config.metrics).toEqual({ enabled: false, host: '0.0.0.0', port: 9100 });
    expect(config.redact).toEqual(['card.number', 'headers.*']);
  });

  it('reads tls = true as TLS with certificate checks on', () => {
    expect(parse('[redis]\naddr = "r:6380"\ntls = true').redis.tls).toEqual({ rejectUnauthorized: true });
    expect(parse('[redis]\ntls = false').redis.tls).toBeUndefined();
  });
});

describe('errors', () => {
  it('reads a queue\'s shards, passes them to the engine, and names a bad count', () => {
    const config = parse('[queues.emails]\nshards = 3');
    expect(config.queues[0]?.shards).toBe(3);
    expect(queueSettings(config.queues[0]!).shards).toBe(3);
    expect(errorOf('[queues.q]\nshards = 65').message).toMatch(/queues\.q\.shards: must be at most 64, got 65/);
  });

  it('a TOML syntax error names the file and the line', () => {
    const error = errorOf('[redis]\nprefix = "ok"\nport = = 3\n');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ source: 'flexq.toml', line: 3, column: 8 });
    expect(error.message).toBe('flexq.toml:3:8: invalid TOML: invalid value');
  });

  it('a string without its closing quote is named as one, not only as a control character', () => {
    expect(errorOf('[redis]\naddr = "127.0.0.1:6441\n').message).toMatch(/^flexq\.toml:2:\d+: invalid TOML: .*control characters.* \(a string without its closing quote\?\)$/);
  });

  it('a duplicate queue table is a syntax error with its line', () => {
    expect(errorOf('[queues.a]\n[queues.a]\n').message).toMatch(/^flexq\.toml:2:\d+: invalid TOML/);
  });

  it('an unknown key names its path and line and lists the known keys', () => {
    const error = errorOf('[queues.emails]\nconcurrency = 2\nconcurency = 3\n');
    expect(error.message).toBe(
      "flexq.toml:3: queues.emails.concurency: unknown key (did you mean 'concurrency'?); expected one of: concurrency, pollTime, visibilityTimeout, maxRetries, retryDelays, timeout, maxPayloadBytes, shards, retention, rateLimit, groupConcurrency",
    );
  });

  it('each of two misspelt keys of one table gets its own line and likely name', () => {
    expect(errorOf('[queues.emails]\nconcurrncy = 3\npollTme = "1s"\n').message.split('\n')).toEqual([
      expect.stringMatching(/^flexq\.toml:2: queues\.emails\.concurrncy: unknown key \(did you mean 'concurrency'\?\); expected one of/),
      expect.stringMatching(/^flexq\.toml:3: queues\.emails\.pollTme: unknown key \(did you mean 'pollTime'\?\); expected one of/),
    ]);
  });

  it('an unknown table is an error on its header line', () => {
    expect(errorOf('[redis]\n\n[workers]\nn = 1\n').message).toMatch(/^flexq\.toml:3: workers: unknown key; expected one of: redact, redis, queues/);
    // A misspelt table named only in a deeper header: that header's line, and the likely name.
    expect(errorOf('[redis]\n\n[queue.default]\nconcurrency = 2\n').message).toMatch(/^flexq\.toml:3: queue: unknown key \(did you mean 'queues'\?\); expected one of/);
  });

  it('a rate limit of 0 is one error, on its own check', () => {
    expect(errorOf('[queues.default]\nrateLimit = { max = 0, per = "1s" }\n').message).toBe('flexq.toml:2: queues.default.rateLimit.max: expected an integer from 1 to 1000000');
  });

  it('a wrong type names the key path, the line and the expected type', () => {
    const error = errorOf('[queues.emails]\n# comment\nconcurrency = "four"\n');
    expect(error.message).toBe('flexq.toml:3: queues.emails.concurrency: expected a number, got a string');
    expect(errorOf('[metrics]\nenabled = "yes"').message).toBe('flexq.toml:2: metrics.enabled: expected true or false, got a string');
    expect(errorOf('redact = "cvv"').message).toBe('flexq.toml:1: redact: expected a list [ … ], got a string');
    expect(errorOf('[schedules.x]\nevery = "1m"').message).toBe('flexq.toml:1: schedules.x.type: missing; expected a string in quotes');
  });

  it('a number out of range says what is allowed', () => {
    expect(errorOf('[metrics]\nport = 70000').message).toBe('flexq.toml:2: metrics.port: must be at most 65535, got 70000');
    expect(errorOf('[queues.q]\nconcurrency = 0').message).toBe('flexq.toml:2: queues.q.concurrency: must be at least 1, got 0');
    expect(errorOf('[queues.q]\nmaxRetries = 2.5').message).toBe('flexq.toml:2: queues.q.maxRetries: expected a whole number, got 2.5');
    expect(errorOf('[queues.q]\nconcurrency = 1.5').message).toBe('flexq.toml:2: queues.q.concurrency: expected a whole number, got 1.5');
    expect(errorOf('[smtp]\nhost = ""').message).toBe('flexq.toml:2: smtp.host: must not be empty');
  });

  it('a bad duration names the key, the line and the value', () => {
    const error = errorOf('[queues.emails]\npollTime = "5 minutes"\n');
    expect(error.issues[0]).toMatchObject({ path: 'queues.emails.pollTime', line: 2 });
    expect(error.message).toContain('invalid duration "5 minutes": expected milliseconds as a number, or a string such as "500ms"');
  });

  it('a bad duration inside a list or inline table points at its line', () => {
    expect(errorOf('[queues.q]\nretryDelays = ["1s", "soon"]').issues[0]).toMatchObject({ path: 'queues.q.retryDelays.1', line: 2 });
    expect(errorOf('[queues.q]\n\nretention = { failed = { age = "x" } }').issues[0]).toMatchObject({
      path: 'queues.q.retention.failed.age',
      line: 3,
    });
    expect(errorOf('[queues.q]\ntimeout = true').message).toContain('queues.q.timeout: expected a duration');
  });

  it('reports every issue at once', () => {
    const error = errorOf('[redis]\ndb = -1\n[logging]\nlevel = "loud"\n', { FLEXQ_REDIS_DB: 'x' });
    expect(error.issues.map((issue) => issue.path || issue.source)).toEqual(['redis.db', 'logging.level', 'environment variable FLEXQ_REDIS_DB']);
    expect(error.message).toContain('logging.level: expected one of: fatal, error, warn, info, debug, trace, silent');
  });

  it.each([
    ['[redis]\nurl = "redis://a:1"\naddr = "b:2"', 'redis: give one of url, addr, cluster and sentinel'],
    ['[redis]\nurl = "localhost:6379"', 'redis.url: expected a url such as'],
    ['[redis]\nurl = "redis://:pw@127.0.0.1:6379/notadb"', 'flexq.toml:2: redis.url: expected a database number after the port'],
    ['[redis]\naddr = "localhost"', 'redis.addr: expected "host:port"'],
    ['[redis]\nprefix = "{tag}"', 'redis.prefix: expected letters'],
    ['[queues."bad name"]', 'queues.bad name: expected letters'],
    ['[handlers.x]\noptions = {}', 'handlers.x: give exactly one of builtin'],
    ['[handlers.x]\nbuiltin = "email"\nmodule = "./x.js"', 'handlers.x: give exactly one of builtin'],
    ['[handlers.x]\nbuiltin = "sms"', 'handlers.x.builtin: expected one of: email, webhook, sleep'],
    ['[handlers.x]\nbuiltin = "email"\nexport = "h"', 'handlers.x: export applies only to module handlers'],
    ['redact = ["a..b"]', 'redact.0: expected a dotted path'],
    ['[queues.q]\nretryDelays = []', 'queues.q.retryDelays: expected at least one delay'],
    ['[[queues]]\nname = "default"', 'flexq.toml:1: queues: expected [queues.<name>] tables such as [queues.default]'],
    ['handlers = "email"', 'flexq.toml:1: handlers: expected [handlers.<name>] tables such as [handlers.email]'],
  ])('rejects %j', (source, expected) => {
    expect(errorOf(source).message).toContain(expected);
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flexq-config-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads flexq.toml from the folder', async () => {
    await writeFile(join(dir, 'flexq.toml'), '[queues.mine]\n');
    const config = await loadConfig({ cwd: dir, env: {} });
    expect(config.configFile).toBe(join(dir, 'flexq.toml'));
    expect(config.queues.map((q) => q.name)).toEqual(['mine']);
  });

  it('reads --config relative to the folder and names it as given in errors', async () => {
    await writeFile(join(dir, 'other.toml'), '[queues.q]\nconcurrency = -1\n');
    await expect(loadConfig({ cwd: dir, path: 'other.toml', env: {} })).rejects.toThrow(/^other\.toml:2: queues\.q\.concurrency: must be at least 1, got -1/);
  });

  it('a missing --config file is an error naming it', async () => {
    await expect(loadConfig({ cwd: dir, path: 'missing.toml', env: {} })).rejects.toThrow(/^missing\.toml: cannot read the file: no such file$/);
  });

  it('an unreadable --config is an error naming it', async () => {
    await expect(loadConfig({ cwd: dir, path: '.', env: {} })).rejects.toThrow(/^\.: cannot read the file: it is a folder$/);
  });

  it('a [redis] tls caFile that cannot be read is a config error naming the key, its line and the file', async () => {
    await writeFile(join(dir, 'flexq.toml'), '[redis]\naddr = "h:6379"\ntls = { caFile = "certs/ca.pem" }\n');
    await expect(loadConfig({ cwd: dir, env: {} })).rejects.toThrow(
      `flexq.toml:3: redis.tls.caFile: cannot read the file ${join(dir, 'certs/ca.pem')}: no such file`,
    );
    await writeFile(join(dir, 'flexq.toml'), '[redis]\ntls = { caFile = "." }\n');
    await expect(loadConfig({ cwd: dir, env: {} })).rejects.toThrow(`flexq.toml:2: redis.tls.caFile: cannot read the file ${dir}: it is a folder`);
    await writeFile(join(dir, 'ca.pem'), 'PEM');
    await writeFile(join(dir, 'flexq.toml'), '[redis]\ntls = { caFile = "ca.pem" }\n');
    expect((await loadConfig({ cwd: dir, env: {} })).redis.tls?.caFile).toBe(join(dir, 'ca.pem'));
  });

  it('a folder without flexq.toml runs on the sample config', async () => {
    const config = await loadConfig({ cwd: dir, env: { FLEXQ_REDIS_PREFIX: 'envp' } });
    expect(config.configFile).toBeNull();
    expect(config.redisConfigured).toBe(false);
    expect(config.redis.prefix).toBe('envp');
    expect(Object.keys(config.handlers)).toEqual(['email', 'webhook', HOST_DEFAULTS.demoJobType]);
  });
});
