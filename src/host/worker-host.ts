import type { Logger } from 'pino';
import { isRedisUnreachable, unreachableReason } from '../engine/errors.js';
import type { RedisQueue } from '../engine/queue.js';
import { RedisWorker } from '../engine/worker.js';
import type { Handler } from '../engine/types.js';
import type { HostConfig, QueueSettings } from '../config/config-types.js';
import { loadHandlers, type HostMode, type LoadedHandlers } from './handler-setup.js';
import { observedHandler } from './handler-wrappers.js';
import { startHealthServer, type Health, type HealthServer } from './health-server.js';
import { ConnectionMonitor } from './connection-monitor.js';
import type { ConnectionState, HostView, LogSource, PoolSlot } from './host-view.js';
import { LogRing } from './log-ring.js';
import { timerDelay } from '../config/limits.js';
import { HostMetrics } from './metrics.js';
import { QueueEventLog } from './queue-event-log.js';
import { presentError, presentText } from '../shared/present.js';
import { connectQueues, type QueueSet } from './queue-set.js';
import { startHostAlerts, withAlertsQueue, type HostAlerts } from '../alerts/host-alerts.js';
import type { FiringAlert } from '../alerts/monitor.js';
import type { RedisTarget } from '../config/redis-target.js';
import { syncSchedules } from './schedule-sync.js';
import { onLibraryReloaded } from '../engine/script-call.js';
import { runIdsOf } from '../engine/connection.js';
import { queueInternals } from '../engine/queue-connection.js';

/** What the worker host is made of. */
export interface WorkerHostOptions {
  config: HostConfig;
  mode: HostMode;
  target: RedisTarget;
  logger: Logger;
  /** The console's log lines; absent in headless mode. */
  logs?: LogSource;
  /** `--read-only`: a console that only watches, so the host starts no workers and claims nothing. */
  readOnly?: boolean;
  /** `flexq console` / `--no-workers`: no workers, no health listener, and every queue registered in Redis is shown. */
  noWorkers?: boolean;
}

/** A console that runs no workers (`--read-only`, `--no-workers`) shows every queue registered in Redis, too. */
function watchesOnly(options: WorkerHostOptions): boolean {
  return options.readOnly === true || options.noWorkers === true;
}

/** A health check that has not answered by then counts as Redis not answering. */
const HEALTH_DEADLINE_MS = 2_000;

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The worker pool that `flexq` and `flexq --headless` share: one `RedisWorker` per configured
 * queue with every `[handlers]` entry registered, plus the /healthz and /metrics listener.
 */
export class WorkerHost implements HostView {
  readonly queues: readonly RedisQueue[];
  readonly redisAddress: string;
  readonly embeddedRedis: boolean;
  readonly redact: readonly string[];
  readonly logs: LogSource;
  /** Where /healthz and /metrics answer, when the listener runs. */
  metricsUrl?: string;
  /** The started workers, each with its queue; a queue without handlers has none. */
  private readonly workers: { queue: string; worker: RedisWorker }[] = [];
  private readonly events: QueueEventLog;
  private readonly metrics: HostMetrics;
  private readonly monitor: ConnectionMonitor;
  private healthServer?: HealthServer;
  private alerts?: HostAlerts;
  private stopping?: Promise<void>;
  private stopWatchingReloads?: () => void;
  /** The queues whose settings the file gives (see start), and the run ids of the Redis they are on. */
  private fromFile: readonly RedisQueue[] = [];
  private runIds?: string;
  private reapplying = false;

  private constructor(
    private readonly options: WorkerHostOptions,
    private readonly set: QueueSet,
    private readonly handlers: LoadedHandlers,
  ) {
    this.queues = withAlertsQueue(set.queues, options.config);
    this.redisAddress = options.target.address;
    this.embeddedRedis = options.target.embedded !== undefined;
    this.redact = options.config.redact;
    this.logs = options.logs ?? new LogRing();
    this.metrics = new HostMetrics(this);
    this.monitor = new ConnectionMonitor(() => this.roundTrip());
    this.events = new QueueEventLog(this.queues, options.logger);
  }

  /** One PING to Redis, with a deadline; then, not waited for, a look at whether Redis restarted. */
  private async roundTrip(): Promise<unknown> {
    const answered = await withDeadline(this.set.connection.ping(), HEALTH_DEADLINE_MS, `Redis at ${this.redisAddress}`);
    void this.noticeRestart();
    return answered;
  }

  /** Redis's run ids, or undefined when they cannot be read in time: an optional look, never a wait. */
  private readRunIds(): Promise<string | undefined> {
    return withDeadline(runIdsOf(queueInternals(this.set.connection).client), HEALTH_DEADLINE_MS, 'run ids').catch(() => undefined);
  }

  /** A restart (or another primary taking over) changes the run ids: the file's settings are checked. */
  private async noticeRestart(): Promise<void> {
    if (this.runIds === undefined || this.reapplying) return;
    const now = await this.readRunIds();
    if (now === undefined || now === this.runIds) return;
    this.runIds = now;
    await this.reapplyFileSettings('Redis restarted or another primary took over');
  }

  /**
   * The queues to show now: a console that runs no workers re-reads those registered under the
   * prefix, so a queue first used after it opened appears; a host with workers shows its own.
   */
  async discoverQueues(): Promise<readonly RedisQueue[]> {
    if (!watchesOnly(this.options)) return this.queues;
    const found = await this.set.discover();
    return [...this.queues, ...found.filter((queue) => !this.queues.some((shown) => shown.name === queue.name))];
  }

  /** Connects, loads handlers, starts a worker per queue and the health listener. */
  static async start(options: WorkerHostOptions): Promise<WorkerHost> {
    const handlers = await loadHandlers(options.config, options.mode);
    let set: QueueSet;
    try {
      // Without a flexq.toml a console shows the queues used under the prefix only, even none yet.
      const discovery = !watchesOnly(options) ? 'none' : options.config.configFile === null ? 'registered' : 'add';
      set = await connectQueues(options.target.settings, options.config.queues, discovery);
    } catch (error) {
      handlers.close();
      throw error;
    }
    const host = new WorkerHost(options, set, handlers);
    // The file's settings go to the queues the file names, never to queues a console found in
    // Redis (those belong to whichever host's file configures them).
    const fromFile = options.config.configFile === null && watchesOnly(options) ? [] : options.config.queues.map(({ name }) => set.get(name));
    try {
      await host.startListener();
      await host.events.start();
      await host.applyQueueLimits(fromFile);
    } catch (error) {
      await host.stop(0);
      throw error;
    }
    await host.checkRedis();
    if (!options.readOnly) {
      await syncSchedules(fromFile, options.config.schedules, options.logger).catch(async (error: unknown) => {
        await host.stop(0);
        throw error;
      });
    }
    // Redis forgot its data: what the file keeps in Redis (schedules, limits) goes back in. This
    // process may be the first to find flexq's functions gone; if another was, a changed run id
    // tells (checked with the host's round trips).
    if (!options.readOnly) {
      host.fromFile = fromFile;
      host.runIds = await host.readRunIds();
      host.stopWatchingReloads = onLibraryReloaded(() => void host.reapplyFileSettings("flexq's functions were gone"));
    }
    host.startWorkers();
    host.monitor.start();
    const { readOnly = false, noWorkers = false } = options;
    host.alerts = startHostAlerts({
      config: options.config, mode: options.mode, queues: host.queues, logger: options.logger, deliver: !readOnly, runWorkers: !readOnly && !noWorkers,
    });
    return host;
  }

  /**
   * Makes each hosted queue's rate limit and group cap the file's: set, changed, or lifted where
   * the file has none (a rate limit change is logged from the queue's event feed). A read-only
   * console writes nothing.
   */
  private async applyQueueLimits(fromFile: readonly RedisQueue[]): Promise<void> {
    if (this.options.readOnly) return;
    const settings = new Map(this.options.config.queues.map((queue) => [queue.name, queue]));
    await Promise.all(fromFile.map(async (queue) => {
      const { rateLimit, groupConcurrency } = settings.get(queue.name) ?? {};
      await queue.setRateLimit(rateLimit ?? null);
      await queue.setGroupConcurrency(groupConcurrency ?? null);
    }));
  }

  /**
   * Writes the file's rate limits, group caps and schedules again after Redis may have lost its
   * data (`why`): schedules would otherwise stop until a restart, with the host answering healthy.
   * One at a time; the writes are the start-up's, safe to repeat, and the log says what was missing.
   */
  private async reapplyFileSettings(why: string): Promise<void> {
    if (this.reapplying) return;
    this.reapplying = true;
    const { logger, config } = this.options;
    try {
      await this.applyQueueLimits(this.fromFile);
      const { saved } = await syncSchedules(this.fromFile, config.schedules, logger);
      if (saved.length > 0) {
        logger.warn({ saved }, `Redis came back without its data (${why}): the config's schedules, rate limits and group caps were written again`);
      } else {
        logger.info(`${why}: the config's schedules, rate limits and group caps are in place`);
      }
    } catch (error) {
      logger.error({ err: error }, "could not write the config's schedules and limits again; restart the host once Redis answers");
    } finally {
      this.reapplying = false;
    }
  }

  /** Says at start what in this Redis could lose jobs or slow them (`flexq doctor` says more). */
  private async checkRedis(): Promise<void> {
    const { logger } = this.options;
    try {
      for (const check of await this.set.connection.checkRedis()) {
        if (check.level !== 'ok') logger.warn({ check: check.name, fix: check.fix }, `Redis check ${check.name}: ${check.detail}`);
      }
    } catch (error) {
      logger.warn({ err: error }, 'could not check Redis (flexq doctor tells more)');
    }
  }

  private async startListener(): Promise<void> {
    const { metrics } = this.options.config;
    // A console without workers has nothing to report, and must not take the service's port.
    if (!metrics.enabled || this.options.noWorkers) return;
    try {
      this.healthServer = await startHealthServer(metrics.host, metrics.port, {
        health: () => this.health(),
        metrics: async () => ({ contentType: this.metrics.contentType, body: await this.metrics.text() }),
      });
      this.metricsUrl = this.healthServer.url;
      this.options.logger.info({ url: this.metricsUrl }, `health and metrics at ${this.metricsUrl}/healthz and /metrics`);
    } catch (error) {
      const message = `cannot listen on ${metrics.host}:${metrics.port} for /healthz and /metrics: ${(error as Error).message}`;
      // A service without its health endpoint is misdeployed; a console on a busy port still works.
      if (this.options.mode === 'headless') throw new Error(`${message} (set [metrics] port, or enabled = false)`);
      this.options.logger.warn(message);
    }
  }

  private wrap(handler: Handler, queue: QueueSettings): Handler {
    return observedHandler(handler, (job, outcome, seconds) => this.metrics.recordRun(queue.name, job.type, outcome, seconds));
  }

  private startWorkers(): void {
    const { config, logger } = this.options;
    if (watchesOnly(this.options)) {
      const names = this.queues.map((q) => q.name);
      logger.info({ queues: names, redis: this.redisAddress }, `flexq ${this.options.readOnly ? 'read-only' : 'console'}: watching queues ${names.join(', ') || '(none used yet)'}; no workers run here`);
      return;
    }
    const types = [...this.handlers.handlers.keys()];
    config.queues.forEach((settings, index) => {
      // A worker without handlers would claim every job only to fail it for good ("no handler
      // registered"), so a host with nothing to run takes nothing, and says so loudly.
      if (types.length === 0) {
        logger.warn(
          { queue: settings.name },
          `queue ${settings.name}: no worker started, because [handlers] configures no job type; its jobs wait for a host that has handlers`,
        );
        return;
      }
      const worker = new RedisWorker(this.queues[index]!, {
        numWorkers: settings.concurrency,
        pollTime: settings.pollTime,
        visibilityTimeout: settings.visibilityTimeout,
        ...(settings.timeout === undefined ? {} : { jobTimeout: settings.timeout }),
        logger,
      });
      for (const [type, handler] of this.handlers.handlers) worker.registerHandler(type, this.wrap(handler, settings));
      this.workers.push({ queue: settings.name, worker });
      worker.start().catch((error: unknown) => logger.error({ err: error, queue: settings.name }, 'worker stopped unexpectedly'));
    });
    const queues = types.length === 0 ? 'none (no handlers)' : config.queues.map((q) => `${q.name} (x${q.concurrency})`).join(', ');
    logger.info(
      { queues: this.workers.map((w) => w.queue), handlers: types, redis: this.redisAddress, embeddedRedis: this.embeddedRedis },
      `flexq running: queues ${queues}; job types ${types.join(', ') || 'none'}; Redis at ${this.redisAddress}${this.embeddedRedis ? ' (embedded)' : ''}`,
    );
  }

  pool(): PoolSlot[] {
    return this.workers.map(({ queue, worker }) => ({ queue, busy: worker.activeJobs, concurrency: worker.numWorkers }));
  }

  /** The `[alerts]` firing now, as this host last checked them. */
  firingAlerts(): FiringAlert[] {
    return this.alerts?.firingAlerts() ?? [];
  }

  inFlight(): number {
    return this.workers.reduce((sum, { worker }) => sum + worker.activeJobs, 0);
  }

  connectionState(): ConnectionState {
    return this.monitor.state();
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    return this.monitor.onChange(listener);
  }

  /** Healthy when every worker runs and Redis answers a round trip in time. */
  async health(): Promise<Health> {
    if (this.stopping !== undefined) return { ok: false, reason: 'shutting down' };
    const stopped = this.workers.filter(({ worker }) => !worker.isRunning()).map(({ queue }) => queue);
    if (stopped.length > 0) return { ok: false, reason: `workers not running: ${stopped.join(', ')}` };
    try {
      await this.roundTrip();
      return { ok: true, reason: `${this.workers.length} worker(s) running; Redis at ${this.redisAddress} answers` };
    } catch (error) {
      // /healthz is an output like any other: the message may quote a URL or a server's reply.
      const why = isRedisUnreachable(error) ? presentText(unreachableReason(error as Error)) : presentError(error);
      return { ok: false, reason: `Redis at ${this.redisAddress} does not answer: ${why}` };
    }
  }

  /**
   * Stops gracefully: no new jobs; running ones get `timeoutMs` to finish and the rest are handed
   * back to the queue. Then closes the listener, handlers and connections. Safe to call twice.
   */
  stop(timeoutMs: number = this.options.config.shutdownTimeout): Promise<void> {
    this.stopping ??= (async () => {
      const { logger } = this.options;
      this.monitor.stop();
      this.stopWatchingReloads?.();
      const busy = this.inFlight();
      logger.info({ runningJobs: busy, timeoutMs }, `stopping: waiting up to ${timeoutMs} ms for ${busy} running job(s)`);
      await this.events.stop();
      await Promise.all([
        ...this.workers.map(({ worker }) => worker.stop({ timeout: timerDelay(timeoutMs) })),
        this.alerts?.stop(timerDelay(timeoutMs)),
      ]);
      await this.healthServer?.close();
      this.handlers.close();
      await this.set.close();
      logger.info('workers stopped');
    })();
    return this.stopping;
  }
}
