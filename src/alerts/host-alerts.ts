/** The alerts of one worker host: the monitor, and (where workers run) the worker that delivers notices. */
import type { Logger } from 'pino';
import type { RedisQueue } from '../engine/queue.js';
import { RedisWorker } from '../engine/worker.js';
import type { Handler } from '../engine/types.js';
import { builtinHandler } from '../handlers/builtin.js';
import { addressPolicy, assertPublicLiteral } from '../handlers/address-guard.js';
import type { AlertRule, HostConfig } from '../config/config-types.js';
import { sharedOptions, type HostMode } from '../host/handler-setup.js';
import { ALERT_JOB_TYPE, ALERTS_QUEUE, alertNoticeHandler } from './delivery.js';
import { AlertMonitor, type FiringAlert } from './monitor.js';

/** Notices run two at a time: a slow webhook must not hold the email behind it. */
const NOTICE_CONCURRENCY = 2;

/** What a host starts for its `[alerts]`. */
export interface HostAlerts {
  firingAlerts(): FiringAlert[];
  /** Stops checking, gives running notices up to `timeoutMs`, and releases the alerts queue. */
  stop(timeoutMs: number): Promise<void>;
}

/** How the host runs. */
export interface HostAlertsOptions {
  config: HostConfig;
  mode: HostMode;
  /** The host's queues (`flexq-alerts` among them, or sharing the first one's connection); rules watch those of `[queues]`. */
  queues: readonly RedisQueue[];
  logger: Logger;
  /** False for a read-only console: it shows alerts but writes and sends nothing. */
  deliver: boolean;
  /** Whether this host runs workers, and so delivers queued notices too. */
  runWorkers: boolean;
}

/**
 * The host's queues as its console shows them: with `[alerts]`, `flexq-alerts` too, so a notice
 * that failed to deliver can be seen and retried there (a console that found it in Redis has it).
 */
export function withAlertsQueue(queues: readonly RedisQueue[], config: HostConfig): readonly RedisQueue[] {
  if (config.alerts.length === 0 || queues.length === 0 || queues.some((queue) => queue.name === ALERTS_QUEUE)) return queues;
  return [...queues, queues[0]!.queue(ALERTS_QUEUE)];
}

/**
 * The rules whose webhook the address guard of this host will refuse whatever DNS says: an IP
 * literal or `localhost` that is not public, nor in `[webhook] allowAddresses`. Told at start, not
 * when the first alert fires and its notice fails.
 */
export function refusedAlertWebhooks(config: HostConfig, mode: HostMode): AlertRule[] {
  const { blockPrivateAddresses, allowAddresses } = sharedOptions(config, { kind: 'builtin', builtin: 'webhook', options: {} }, mode);
  if (blockPrivateAddresses !== true) return [];
  const isBlocked = addressPolicy(allowAddresses as string[] | undefined);
  return config.alerts.filter((rule) => {
    if (rule.webhook === undefined) return false;
    const host = new URL(rule.webhook).hostname;
    try {
      assertPublicLiteral(host === 'localhost' ? '127.0.0.1' : host, isBlocked);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * Starts checking the rules (none: nothing starts) and, on a host that runs workers, a worker of
 * `flexq-alerts` with the built-in webhook and email handlers made from `[webhook]` and `[smtp]`.
 */
export function startHostAlerts(options: HostAlertsOptions): HostAlerts | undefined {
  const { config, mode, queues, logger } = options;
  if (config.alerts.length === 0 || queues.length === 0) return undefined;
  const alertsQueue = queues.find((queue) => queue.name === ALERTS_QUEUE) ?? queues[0]!.queue(ALERTS_QUEUE);
  // Rules watch the queues of [queues] only, also on a console that shows every registered queue:
  // hosts sharing a flexq.toml then judge the same queues (and never flexq-alerts itself).
  const watched = queues.filter((queue) => config.queues.some((settings) => settings.name === queue.name));
  const monitor = new AlertMonitor({
    rules: config.alerts, queues: () => watched, alertsQueue, interval: config.alertInterval, logger, deliver: options.deliver,
  });
  let worker: RedisWorker | undefined;
  const senders: Handler[] = [];
  if (options.runWorkers && options.deliver) {
    const make = (builtin: 'webhook' | 'email') => {
      const handler = builtinHandler(builtin, sharedOptions(config, { kind: 'builtin', builtin, options: {} }, mode));
      senders.push(handler);
      return handler;
    };
    worker = new RedisWorker(alertsQueue, { numWorkers: NOTICE_CONCURRENCY, logger });
    worker.registerHandler(ALERT_JOB_TYPE, alertNoticeHandler(config.alerts, { webhook: make('webhook'), email: make('email') }));
    worker.start().catch((error: unknown) => logger.error({ err: error, queue: ALERTS_QUEUE }, 'alert notice worker stopped unexpectedly'));
    for (const rule of refusedAlertWebhooks(config, mode)) {
      logger.warn({ alert: rule.name }, `[alerts.${rule.name}] webhook is a private address, which this host's webhooks refuse: its notices will fail. Add it to [webhook] allowAddresses, or set [webhook] blockPrivateAddresses = false`);
    }
  }
  monitor.start();
  logger.info({ alerts: config.alerts.map((rule) => rule.name), intervalMs: config.alertInterval, delivers: worker !== undefined },
    `alerts: checking ${config.alerts.map((rule) => rule.name).join(', ')} every ${config.alertInterval} ms`);
  return {
    firingAlerts: () => monitor.firingAlerts(),
    stop: async (timeoutMs) => {
      await monitor.stop();
      await worker?.stop({ timeout: timeoutMs });
      for (const sender of senders) (sender as Handler & { close?: () => void }).close?.();
      await alertsQueue.close();
    },
  };
}
