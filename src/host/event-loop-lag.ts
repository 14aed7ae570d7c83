import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setImmediate as nextCheckPhase } from 'node:timers/promises';
import { Gauge, type Registry } from 'prom-client';

/**
 * How often the loop is sampled. A sample is one timer tick, so 10 ms (prom-client's default) costs
 * an idle host about 1% of a core; 100 ms still catches a stalled loop.
 */
const SAMPLE_INTERVAL_MS = 100;

/** The statistics of the sampled lag, as prom-client names them (after `nodejs_eventloop_lag_`). */
const STATISTICS = {
  min: 'The smallest event loop lag sampled since the last scrape',
  max: 'The largest event loop lag sampled since the last scrape',
  mean: 'The mean event loop lag sampled since the last scrape',
  stddev: 'The standard deviation of the event loop lag sampled since the last scrape',
  p50: 'The median event loop lag sampled since the last scrape',
  p90: 'The 90th percentile of the event loop lag sampled since the last scrape',
  p99: 'The 99th percentile of the event loop lag sampled since the last scrape',
} as const;
type Statistic = keyof typeof STATISTICS;

/** The names of the lag metrics, as prom-client's default metrics call them. */
export const EVENT_LOOP_LAG_NAMES = ['nodejs_eventloop_lag_seconds', ...Object.keys(STATISTICS).map((statistic) => `nodejs_eventloop_lag_${statistic}_seconds`)];

/**
 * Registers the event-loop lag gauges under prom-client's default names. prom-client reports what
 * perf_hooks' histogram records: the time between two ticks of its sampling timer, which includes
 * the interval itself, so an idle loop read as lagging by the whole interval. Here the interval is
 * taken off each statistic, leaving how late the tick came.
 */
export function registerEventLoopLag(registry: Registry, prefix: string): void {
  const histogram = monitorEventLoopDelay({ resolution: SAMPLE_INTERVAL_MS });
  histogram.enable();
  const intervalNs = SAMPLE_INTERVAL_MS * 1e6;
  // libuv schedules the tick on its millisecond clock, so a tick may come a little under the interval.
  const lateBy = (betweenTicksNs: number) => Math.max(0, betweenTicksNs - intervalNs) / 1e9;
  const gauges = {} as Record<Statistic, Gauge>;
  // The first gauge registered is read first in a scrape: it reads the histogram for all of them.
  const readHistogram = () => {
    // No tick since the last scrape (scrapes closer than two intervals): the last readings stay.
    if (histogram.count === 0) return;
    gauges.min.set(lateBy(histogram.min));
    gauges.max.set(lateBy(histogram.max));
    gauges.mean.set(lateBy(histogram.mean));
    gauges.stddev.set(histogram.stddev / 1e9);
    gauges.p50.set(lateBy(histogram.percentile(50)));
    gauges.p90.set(lateBy(histogram.percentile(90)));
    gauges.p99.set(lateBy(histogram.percentile(99)));
    histogram.reset();
  };
  for (const [statistic, help] of Object.entries(STATISTICS) as [Statistic, string][]) {
    const first = statistic === 'min';
    gauges[statistic] = new Gauge({ name: `${prefix}nodejs_eventloop_lag_${statistic}_seconds`, help, registers: [registry], ...(first ? { collect: readHistogram } : {}) });
  }
  new Gauge({
    name: `${prefix}nodejs_eventloop_lag_seconds`,
    help: 'How long a callback queued at this scrape waited for the event loop',
    registers: [registry],
    // Measured within the scrape (prom-client sets it after answering, so each scrape showed the last one's).
    async collect() {
      const queuedAt = process.hrtime.bigint();
      await nextCheckPhase();
      this.set(Number(process.hrtime.bigint() - queuedAt) / 1e9);
    },
  });
}
