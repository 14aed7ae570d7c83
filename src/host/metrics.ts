import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RedisQueue } from '../engine/queue.js';
import type { QueueStats } from '../engine/types.js';
import type { RunOutcome } from './handler-wrappers.js';
import { EVENT_LOOP_LAG_NAMES, registerEventLoopLag } from './event-loop-lag.js';
import type { PoolSlot } from './host-view.js';

/** What the metrics read on each scrape. */
export interface MetricsSource {
  queues: readonly RedisQueue[];
  pool(): PoolSlot[];
}

const PREFIX = 'flexq_';
/** An interval (about 24 days) at which prom-client's unused sampler as good as never ticks. */
const NEVER_MS = 2 ** 31 - 1;

const STATE_OF: Record<keyof QueueStats, string> = {
  pendingJobs: 'pending',
  delayedJobs: 'delayed',
  processingJobs: 'processing',
  retryingJobs: 'retrying',
  completedJobs: 'completed',
  failedJobs: 'failed',
  cancelledJobs: 'cancelled',
};

/** The host's Prometheus metrics, in a registry of its own (not prom-client's global one). */
export class HostMetrics {
  readonly registry = new Registry();
  private readonly processed: Counter<'queue' | 'type' | 'outcome'>;
  private readonly duration: Histogram<'queue' | 'type' | 'outcome'>;

  constructor(source: MetricsSource) {
    // prom-client's lag metrics count its sampling interval as lag, and its sampler cannot be left
    // out: it gets an interval so long that it never ticks, and its metrics give way to the host's.
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX, eventLoopMonitoringPrecision: NEVER_MS });
    for (const name of EVENT_LOOP_LAG_NAMES) this.registry.removeSingleMetric(PREFIX + name);
    registerEventLoopLag(this.registry, PREFIX);
    this.processed = new Counter({
      name: 'flexq_jobs_processed_total',
      help: 'Handler runs finished by this host, by queue, job type and outcome',
      labelNames: ['queue', 'type', 'outcome'],
      registers: [this.registry],
    });
    this.duration = new Histogram({
      name: 'flexq_job_duration_seconds',
      help: 'Handler run time by queue, job type and outcome',
      labelNames: ['queue', 'type', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [this.registry],
    });
    new Gauge({
      name: 'flexq_queue_jobs',
      help: 'Jobs of each queue by state, read from Redis at scrape time',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        // Redis being away must not fail the scrape: the last known depths stay, /healthz says why.
        const results = await Promise.allSettled(source.queues.map(async (queue) => [queue.name, await queue.getStats()] as const));
        for (const result of results) {
          if (result.status !== 'fulfilled') continue;
          const [queue, stats] = result.value;
          for (const [key, state] of Object.entries(STATE_OF)) this.set({ queue, state }, stats[key as keyof QueueStats]);
        }
      },
    });
    new Gauge({
      name: 'flexq_worker_busy',
      help: 'Handlers of each queue running now in this host',
      labelNames: ['queue'],
      registers: [this.registry],
      collect() {
        for (const load of source.pool()) this.set({ queue: load.queue }, load.busy);
      },
    });
    new Gauge({
      name: 'flexq_worker_concurrency',
      help: 'Handlers of each queue that may run at once in this host',
      labelNames: ['queue'],
      registers: [this.registry],
      collect() {
        for (const load of source.pool()) this.set({ queue: load.queue }, load.concurrency);
      },
    });
  }

  /** Counts one finished handler run. */
  recordRun(queue: string, type: string, outcome: RunOutcome, seconds: number): void {
    this.processed.inc({ queue, type, outcome });
    this.duration.observe({ queue, type, outcome }, seconds);
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
