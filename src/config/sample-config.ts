import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { HOST_DEFAULTS } from './defaults.js';

/** The commented sample that `flexq init` writes; the repository's flexq.toml is exactly this. */
export const SAMPLE_CONFIG = `# flexq.toml: what the flexq executable hosts. Written by \`flexq init\`.
#
# Durations are milliseconds (numbers) or strings such as "500ms", "30s", "5m", "1h", "2h30m", "7d".
# Unknown keys are errors. Relative paths are relative to this file's folder.
# Environment variables override the connection and secrets, so passwords need not live here:
#   FLEXQ_REDIS_URL, FLEXQ_REDIS_USERNAME, FLEXQ_REDIS_PASSWORD, FLEXQ_REDIS_DB,
#   FLEXQ_REDIS_PREFIX, FLEXQ_SMTP_PASSWORD, FLEXQ_WEBHOOK_SECRET

# Payload keys masked in logs, the console and the CLI, on top of those always masked (password,
# token, secret, apiKey, authorization, cookie, x-api-key and names ending in them, at any depth).
# A single name ("cvv") is matched at any depth; a dotted path ("cards.*.number") from the
# payload's root, "*" matching any one key. TOML wants top-level keys before the first [table].
redact = ["cvv", "cards.*.number"]

# On SIGINT/SIGTERM flexq takes no new jobs and waits this long for running ones; those still
# running then are handed back to the queue and run again elsewhere.
shutdownTimeout = "25s"

# How often the host checks the [alerts] rules (at the end of this file).
# alertInterval = "15s"

# Redis. With nothing configured here or in the environment, flexq uses localhost:6379, or starts
# its own redis-server (data under ./.flexq/) when nothing answers there.
[redis]
# url = "redis://localhost:6379/0"   # or rediss://… for TLS; or instead:
# addr = "localhost:6379"
# username = "flexq"
# db = 0
# tls = true                          # or { rejectUnauthorized = true, servername = "…", caFile = "ca.pem" }
# cluster = ["10.0.0.1:7000", "10.0.0.2:7000"]  # a Redis Cluster, by some of its nodes; or:
# sentinel = { name = "mymaster", nodes = ["10.0.0.1:26379", "10.0.0.2:26379"] }
# durability = "replicated"           # a dispatch waits until a replica has the job (WAIT)
prefix = "flexq"                      # every Redis key starts with the prefix and ":"
# connectTimeout = "5s"

# One table per queue, [queues.<name>]; flexq runs one worker for each. Every worker handles
# every job type listed under [handlers].
[queues.default]
concurrency = 4                       # handlers running at once
pollTime = "1s"                       # longest wait of a ready job while the worker is idle
visibilityTimeout = "30s"             # a crashed worker's job runs again after this long
maxRetries = 3                        # attempts of a job that does not choose its own
retryDelays = ["1s", "5s", "30s", "5m"] # wait before retry n; the last repeats
# maxPayloadBytes = 1048576            # largest payload a dispatch may carry (JSON bytes)
# shards = 3                          # spread the queue over 3 hash slots (primaries of a cluster)
# timeout = "5m"                      # per-attempt limit for jobs that set none
# rateLimit = { max = 100, per = "1s" } # at most 100 jobs start in any second, on every host
# groupConcurrency = 2                # at most 2 jobs of one group (dispatch --group) run at once

[queues.default.retention]
completed = { age = "1d", count = 1000 }
failed = { age = "7d", count = 10000 }  # failed and cancelled jobs

# Job type -> handler: builtin = "email" | "webhook" | "sleep", or module = "./handler.js"
# (its createHandler(options), its default export, or export = "name": a Handler or a
# handler function), or a package name; plus options.
[handlers.email]
builtin = "email"

[handlers.webhook]
builtin = "webhook"

# The jobs \`flexq demo\` makes: each sleeps options.ms (or payload.ms) and succeeds.
[handlers.${HOST_DEFAULTS.demoJobType}]
builtin = "sleep"
options = { ms = 500 }

# [handlers.report]
# module = "./handlers/report.js"
# options = { bucket = "reports" }
# isolation = "thread"                # or "process": run it where it can be killed; default "none"
# killAfter = "2s"                    # after a cancel or timeout, kill and replace it this late

# Schedules, [schedules.<name>]: a job added at every tick, one per tick however many hosts run.
# At start the host makes the stored schedules match this file (adds, replaces, and removes those
# this file defined before); schedules defined in code (q.schedule) stay unless named here too.
# [schedules.nightly]
# queue = "default"                   # the first queue unless given
# cron = "0 3 * * *"                  # 5 fields, or 6 with seconds first; or every = "10m"
# tz = "Europe/Berlin"                # the cron's time zone; UTC unless given
# type = "report"
# payload = { kind = "daily" }
# priority = 0

# SMTP server of the email handler. Password: FLEXQ_SMTP_PASSWORD.
[smtp]
host = "localhost"
port = 587
secure = false
# username = "flexq"
# from = "flexq@example.com"

# The webhook handler. Signing secret: FLEXQ_WEBHOOK_SECRET.
[webhook]
timeout = "10s"
# blockPrivateAddresses = true        # refuse private and loopback targets; default: on with
                                      # --headless, off in the console
# allowAddresses = ["10.0.0.0/8"]     # CIDR ranges exempt from blockPrivateAddresses

[logging]
level = "info"                        # fatal, error, warn, info, debug, trace, silent
# file = "flexq.log"                  # default: stdout with --headless, the console's log tail otherwise

# GET /healthz and GET /metrics (Prometheus) while flexq runs.
[metrics]
enabled = true
host = "127.0.0.1"
port = 9464

# Alerts, checked by every host (headless or console) every alertInterval with a few cheap reads
# per rule. Each [alerts.<name>] watches one queue of [queues] (or "*", all of them) for one
# condition:
#   failureRate = 0.2       jobs failed for good / jobs finished in the last window (default "5m",
#                           up to "1d"; whole minutes), once at least minJobs (default 10) finished
#   backlogAbove = 1000     more jobs than this ready to run and not started
#   oldestWaiting = "10m"   the longest-waiting ready job has waited longer than this
#   noWorkers = true        no worker of any host has sent a heartbeat lately
# and sends a notice to a webhook (a Slack-compatible JSON body {"text": "..."}; the url here, or
# in the environment variable webhookEnv names) and/or to email addresses (through [smtp]).
# Notices are jobs of flexq's own queue "flexq-alerts", run by the hosts with [alerts] that run
# workers. However many hosts check, one notice goes out per firing, none again within coolDown
# (default "15m") while it keeps firing, and one "resolved" notice when the condition clears.
# [alerts.backlog]
# queue = "default"
# backlogAbove = 1000
# webhookEnv = "SLACK_WEBHOOK_URL"
# coolDown = "15m"
#
# [alerts.failures]
# queue = "*"
# failureRate = 0.2
# window = "5m"
# email = ["oncall@example.com"]
`;

/** Thrown by `writeSampleConfig` when the file exists and `force` is not set. */
export class ConfigExistsError extends Error {
  override readonly name = 'ConfigExistsError';
}

/**
 * Writes the sample to `file` (`flexq.toml` by default) relative to `dir`; refuses to replace a file
 * unless `force`, and to write into a folder that does not exist.
 */
export async function writeSampleConfig(dir: string, force: boolean, file: string = HOST_DEFAULTS.configFileName): Promise<string> {
  // `--config FILE` names where the config lives, so `flexq --config x.toml init` writes there.
  const path = resolve(dir, file);
  try {
    await writeFile(path, SAMPLE_CONFIG, { flag: force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ConfigExistsError(`${path} already exists; use --force to overwrite it`);
    }
    // A mistyped folder is more likely than one meant to be made, so none is created.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`cannot write ${path}: the folder ${dirname(path)} does not exist; create it first`, { cause: error });
    }
    throw error;
  }
  return path;
}
