/**
 * Makes the schedules stored for the configured queues match `[schedules]` of flexq.toml at start.
 * Schedules carry their source: those the file defined earlier and no longer does are removed,
 * those defined in code (`q.schedule`) are left alone unless the file defines the same name, which
 * then wins. An unchanged schedule keeps its next and last runs.
 */
import type { Logger } from 'pino';
import type { RedisQueue } from '../engine/queue.js';
import { queueInternals } from '../engine/queue-connection.js';
import type { ScheduleSettings } from '../config/config-types.js';

/** What the sync changed, for the start-up log. */
export interface ScheduleSyncReport {
  saved: string[];
  unchanged: string[];
  removed: string[];
}

export async function syncSchedules(queues: readonly RedisQueue[], wanted: readonly ScheduleSettings[], logger: Logger): Promise<ScheduleSyncReport> {
  const report: ScheduleSyncReport = { saved: [], unchanged: [], removed: [] };
  for (const queue of queues) {
    const mine = wanted.filter((schedule) => schedule.queue === queue.name);
    const stored = await queue.listSchedules();
    for (const old of stored) {
      if (old.source === 'config' && !mine.some((schedule) => schedule.name === old.name)) {
        await queue.removeSchedule(old.name);
        report.removed.push(`${queue.name}/${old.name}`);
      }
    }
    for (const { name, timing, job } of mine) {
      if (stored.some((old) => old.name === name && old.source === 'code')) {
        logger.warn({ queue: queue.name, schedule: name }, `schedule ${name} of queue ${queue.name} was defined in code; flexq.toml's [schedules.${name}] replaces it`);
      }
      const changed = await queueInternals(queue).schedules.save(name, timing, job, 'config');
      (changed ? report.saved : report.unchanged).push(`${queue.name}/${name}`);
    }
  }
  if (report.saved.length + report.removed.length > 0) {
    logger.info(report, `schedules from the config: ${report.saved.length} saved, ${report.unchanged.length} unchanged, ${report.removed.length} removed`);
  }
  return report;
}
