/**
 * Every default of the `flexq` executable that the engine does not own, in one place. Engine
 * defaults (prefix, retries, poll time, leases, retention, …) come from `src/engine/defaults.ts`.
 * Durations are milliseconds.
 */
export const HOST_DEFAULTS = {
  /** The config file `flexq` reads from the current folder when `--config` is not given. */
  configFileName: 'flexq.toml',
  /** The queue hosted when the file names none, and where `flexq dispatch` sends jobs by default. */
  queueName: 'default',
  /** The job type `flexq demo` produces; the sample maps it to the `sleep` built-in. */
  demoJobType: 'demo',
  /** Time between two jobs of `flexq demo`: fast enough to watch jobs flow, slow enough to read. */
  demoInterval: 500,
  /** How long `flexq drain` waits for running jobs: longer than most jobs, short enough for a deploy. */
  drainTimeout: 5 * 60_000,
  /** SMTP server of the email built-in: a local relay on the submission port. */
  smtp: { host: 'localhost', port: 587, secure: false },
  /** The webhook built-in gives up on a request after this long. */
  webhookTimeout: 10_000,
  // When the file does not say: off in the console, because local development usually posts to
  // localhost; on with --headless, a service whose producers may not be trusted, so a payload
  // cannot make flexq call into the private network.
  /** Whether the webhook built-in refuses private, loopback and link-local addresses, by mode. */
  webhookBlockPrivateAddresses: { console: false, headless: true },
  // Long enough for typical jobs to finish, short enough for an orchestrator's kill grace period
  // (Kubernetes waits 30 s before SIGKILL).
  /** On SIGINT/SIGTERM, how long running jobs may take before they are handed back to the queue. */
  shutdownTimeout: 25_000,
  /** pino log level. */
  logLevel: 'info',
  // On by default and bound to loopback: a service wants /healthz, and nothing is exposed beyond
  // the machine unless the user says so. 9464 is the usual port of Prometheus exporters.
  /** The /healthz and /metrics listener. */
  metrics: { enabled: true, host: '127.0.0.1', port: 9464 },
  /**
   * Extra payload paths masked in logs, the console and the CLI when the file gives no `redact`
   * list. None: the names every output masks anyway (`DEFAULT_REDACT_KEYS`: password, token,
   * secret, authorization, cookie, api keys, at any depth) cover the usual secrets.
   */
  redact: [],
  /**
   * `[alerts]`: rules are checked every `interval` (cheap reads: a few per rule); a firing rule is
   * not notified again within `coolDown`; a failure rate looks back `window` and needs `minJobs`
   * finished jobs in it, so one failure in a quiet minute does not page anyone.
   */
  alerts: { interval: 15_000, coolDown: 15 * 60_000, window: 5 * 60_000, minJobs: 10 },
} as const;
