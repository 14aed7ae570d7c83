/** The host's /metrics listener: what it reports and where it listens, per `[metrics]`. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { deletePrefix, freePort, REDIS_URL, uniquePrefix, waitFor } from '../helpers.js';
import { startHost, stopHosts } from './host-helpers.js';

let prefix: string;
beforeEach(() => {
  prefix = uniquePrefix('host-metrics');
});
afterEach(async () => {
  await stopHosts();
  await deletePrefix(prefix);
});

const toml = (metrics: string) => `
[redis]
url = "${REDIS_URL}"
prefix = "${prefix}"
[queues.default]
concurrency = 3
pollTime = "200ms"
retryDelays = ["1h"]
[queues.held]
pollTime = "200ms"
[handlers.sleep]
builtin = "sleep"
[metrics]
${metrics}
`;

/** The samples of `name` in a Prometheus text, as `label=value,…` → value. */
function samples(text: string, name: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (!match) continue;
    const labels = [...match[1]!.matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => `${key}=${value}`).sort().join(',');
    found.set(labels, Number(match[2]));
  }
  return found;
}

/** The value of the unlabelled metric `name` in a Prometheus text. */
function value(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

async function scrape(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

/** True when something accepts HTTP on the address. */
const listening = (url: string) => fetch(`${url}/healthz`).then(() => true, () => false);

describe('/metrics', () => {
  test('flexq_worker_busy counts running handlers, and flexq_queue_jobs every state of every queue', async () => {
    const host = await startHost(toml('host = "127.0.0.1"\nport = 0'));
    const [main, held] = [host.queues[0]!, host.queues[1]!];
    await held.pause();
    await main.push({ type: 'sleep', payload: { ms: 1 } });
    await main.push({ type: 'sleep', payload: { ms: 1, fail: true }, maxAttempts: 1 });
    await main.push({ type: 'sleep', payload: { ms: 1, fail: true }, maxAttempts: 2 }); // retries in 1 h
    await waitFor('completed, failed and retrying', async () => {
      const stats = await main.getStats();
      return stats.completedJobs === 1 && stats.failedJobs === 1 && stats.retryingJobs === 1;
    });
    await main.pushBulk([{ type: 'sleep', payload: { ms: 60_000 } }, { type: 'sleep', payload: { ms: 60_000 } }]);
    await held.pushBulk([{ type: 'sleep' }, { type: 'sleep' }, { type: 'sleep' }, { type: 'sleep', delay: 3_600_000 }]);
    await held.cancelJob((await held.listJobs('pending'))[0]!.id);
    await waitFor('two handlers running', () => host.inFlight() === 2);

    const text = await scrape(host.metricsUrl!);
    expect(samples(text, 'flexq_worker_busy')).toEqual(new Map([['queue=default', 2], ['queue=held', 0]]));
    expect(samples(text, 'flexq_worker_concurrency')).toEqual(new Map([['queue=default', 3], ['queue=held', 1]]));
    const jobs = samples(text, 'flexq_queue_jobs');
    const expected: Record<string, Record<string, number>> = {
      default: { pending: 0, delayed: 0, processing: 2, retrying: 1, completed: 1, failed: 1, cancelled: 0 },
      held: { pending: 2, delayed: 1, processing: 0, retrying: 0, completed: 0, failed: 0, cancelled: 1 },
    };
    for (const [queue, states] of Object.entries(expected)) {
      for (const [state, count] of Object.entries(states)) expect([queue, state, jobs.get(`queue=${queue},state=${state}`)]).toEqual([queue, state, count]);
    }
  });

  test('an idle host reports an event-loop lag near 0, not the sampling interval', async () => {
    const host = await startHost(toml('host = "127.0.0.1"\nport = 0'));
    // Measured within the scrape, so even the first one has it.
    const lag = value(await scrape(host.metricsUrl!), 'flexq_nodejs_eventloop_lag_seconds');
    expect(lag).toBeGreaterThan(0);
    expect(lag).toBeLessThan(0.05);
    // The sampler ticks every 100 ms; a scrape with samples in it has a max above 0.
    const text = await waitFor('a scrape with lag samples', async () => {
      const text = await scrape(host.metricsUrl!);
      return value(text, 'flexq_nodejs_eventloop_lag_max_seconds')! > 0 ? text : undefined;
    }, { intervalMs: 300 });
    // Generous bounds for a loaded machine: the artefact was the whole 100 ms interval.
    for (const statistic of ['min', 'p50', 'mean']) {
      expect([statistic, value(text, `flexq_nodejs_eventloop_lag_${statistic}_seconds`)! < 0.05]).toEqual([statistic, true]);
    }
  });

  test('enabled = false: no listener at all', async () => {
    const port = await freePort();
    const host = await startHost(toml(`enabled = false\nport = ${port}`));
    expect(host.metricsUrl).toBeUndefined();
    expect(await listening(`http://127.0.0.1:${port}`)).toBe(false);
    // The host itself runs.
    const job = await host.queues[0]!.push({ type: 'sleep', payload: { ms: 1 } });
    await waitFor('the job done', async () => (await host.queues[0]!.getJobStatus(job.id)) === 'completed');
  });

  test('host: the listener binds that address only', async () => {
    const port = await freePort();
    const host = await startHost(toml(`host = "127.0.0.2"\nport = ${port}`));
    expect(host.metricsUrl).toBe(`http://127.0.0.2:${port}`);
    expect(await scrape(host.metricsUrl!)).toContain('flexq_worker_busy');
    expect(await listening(`http://127.0.0.1:${port}`)).toBe(false);
  });
});
