/**
 * Every default of queue, worker and host, in one place. Durations are milliseconds.
 */
export const DEFAULTS = {
  /** Redis address when neither `addr` nor `url` is given. */
  addr: 'localhost:6379',
  /** Key prefix: every key of a queue starts with `<prefix>:`. */
  prefix: 'flexq',
  /** Default total attempts of a job (the seed's MaxRetries). */
  maxRetries: 3,
  /** Wait before retry n is retryDelays[n-1]; the last one repeats. */
  retryDelays: [1_000, 5_000, 30_000, 300_000],
  /** How long `connect` waits for Redis before it gives up with an error. */
  connectTimeout: 5_000,
  /** Completed jobs kept: a day, at most 1,000. */
  keepCompleted: { age: 24 * 3_600_000, count: 1_000 },
  /** Failed and cancelled jobs kept longer: a week, at most 10,000, for triage. */
  keepFailed: { age: 7 * 24 * 3_600_000, count: 10_000 },
  /**
   * Entries kept (approximately) in a queue's event stream: one per script call, naming up to 50
   * jobs per event, so at most about 2 MB; enough for consoles, which follow it live.
   */
  eventsMaxLen: 2_000,
  /** Concurrent handlers of one worker. */
  numWorkers: 1,
  /** Longest single wait of an idle worker on its wake marker. */
  pollTime: 1_000,
  /** An idle worker claims after this many quiet pollTimes even without a marker (a lost-marker net). */
  idleChecks: 10,
  /** Lease of a claimed job; a worker that stops renewing it for this long is presumed dead. */
  visibilityTimeout: 30_000,
  /** Upper bound on the lease-renewal period, so a cancel reaches a running handler within a second. */
  maxRenewInterval: 500,
  /**
   * How long a job waits when a worker without a handler for its type hands it to the workers
   * that have one: long enough that those claim it first, short enough for a rolling deploy.
   */
  handOffDelay: 1_000,
  /**
   * Longest wait of an idle worker's outcomes for the claim of the next job (which records them in
   * the same call) before they are recorded alone.
   */
  outcomeDelay: 10,
  /** Jobs one claim may take at most, so one worker does not hoard a backlog. */
  maxClaimBatch: 100,
  /** Claims a worker keeps under way at once, so Node and Redis work on different batches together. */
  claimsInFlight: 2,
  /**
   * Jobs promoted from delayed/retrying or recovered from dead leases per claim call. Each costs
   * Redis some 20 µs with a million jobs stored: 100 keeps a claim within the 5 ms stall budget
   * (1,000 held Redis for about 20 ms, `npm run bench:stall`); busy workers claim often enough.
   */
  maintenanceBatch: 100,
  /** Finished jobs removed by retention per finish call; keeps every call short. */
  retentionBatch: 100,
  /** Priority range: higher runs first. */
  minPriority: -1_000_000,
  maxPriority: 1_000_000,
  /** How often a running worker publishes its heartbeat for consoles. */
  heartbeatInterval: 5_000,
  /**
   * A heartbeat this old is dropped from the list of workers: a worker killed without a clean stop
   * leaves its row this long (twelve missed heartbeats).
   */
  heartbeatExpiry: 60_000,
  /** Largest payload a job may carry (bytes of its JSON): a queue holds work, not documents. */
  maxPayloadBytes: 1024 * 1024,
  /** With `durability: 'replicated'`, how long a push waits for a replica to confirm it. */
  replicationTimeout: 2_000,
  /**
   * Longest wait of a worker's schedule timer: a schedule added or resumed by another process is
   * seen within this (one read-only call per 30 s while idle); one added in this process at once.
   */
  scheduleRecheck: 30_000,
  /** Milliseconds a handler may go on after its signal aborted before its thread or process is killed (isolation). */
  killAfter: 2_000,
  /** listJobs page size when none is given. */
  listLimit: 50,
  /**
   * Jobs one call of a bulk operation (retryJobs, clean) takes: each call then holds Redis for
   * about a millisecond, however many jobs the operation touches (README, Operations).
   */
  operationChunk: 200,
  /**
   * Entries one call of cancelJobs looks at: a cancel rewrites each job's record and files it, about
   * twice a retry's work per job, so its calls take half as many (a median 0.6 ms at 1M waiting).
   */
  cancelChunk: 100,
} as const;
