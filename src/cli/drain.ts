/**
 * `flexq drain QUEUE`: pauses the queue (the flag every worker checks before it claims, so no host
 * starts another of its jobs) and waits for the running ones, with progress and an ETA.
 */
import type { RedisQueue } from '../engine/queue.js';
import { presentText } from '../shared/present.js';
import { oneLine } from '../shared/sanitize.js';
import { shortDuration } from '../shared/duration.js';
import type { CliOutput } from './run-cli.js';

/** How often the running jobs are counted. */
const POLL_MS = 500;

/** The running jobs listed when the wait times out. */
const LISTED = 20;

/** What `drain` needs besides the queue: where to write, and a clock tests may shorten. */
export interface DrainOptions {
  timeout: number;
  out: CliOutput;
  pollMs?: number;
}

/**
 * The time left at the rate jobs finished so far, or undefined before any finished. Running jobs
 * of a drained queue only go down, so the rate is finished jobs over time waited.
 */
function drainEta(startedWith: number, running: number, waitedMs: number): number | undefined {
  const finished = startedWith - running;
  if (finished <= 0 || waitedMs <= 0) return undefined;
  return Math.ceil((running * waitedMs) / finished);
}

function progressLine(queue: string, running: number, startedWith: number, waitedMs: number): string {
  const eta = drainEta(startedWith, running, waitedMs);
  const finished = Math.max(0, startedWith - running);
  return `draining ${queue}: ${running} running, ${finished} finished, ETA ${eta === undefined ? 'unknown' : shortDuration(eta)}`;
}

/** Pauses the queue and waits; resolves to 0 once no job runs, or 1 after the timeout, listing those that still run. */
export async function drainQueue(queue: RedisQueue, { timeout, out, pollMs = POLL_MS }: DrainOptions): Promise<number> {
  await queue.pause();
  const started = Date.now();
  const startedWith = (await queue.getStats()).processingJobs;
  let shown = '';
  for (let running = startedWith; ; running = (await queue.getStats()).processingJobs) {
    const waited = Date.now() - started;
    if (running === 0) {
      out.write(`${shown === '' || !out.isTTY ? '' : '\n'}queue ${queue.name} drained: no job running, none will start until \`flexq resume ${queue.name}\`\n`);
      return 0;
    }
    const line = progressLine(queue.name, running, startedWith, waited);
    // A terminal gets one line rewritten in place; a log gets a line per change.
    if (out.isTTY) out.write(`\r${line}\u001b[K`);
    else if (line !== shown) out.write(`${line}\n`);
    shown = line;
    if (waited >= timeout) {
      if (out.isTTY) out.write('\n');
      const jobs = await queue.listJobs('processing', { limit: LISTED });
      const rows = jobs.map((job) => `  ${job.id}  ${oneLine(presentText(job.type))}  running for ${shortDuration(Date.now() - job.enteredAt.getTime())}`);
      const more = running > jobs.length ? [`  … and ${running - jobs.length} more`] : [];
      out.write([`queue ${queue.name} is paused, but ${running} job(s) still run after ${shortDuration(waited)}:`, ...rows, ...more].join('\n') + '\n');
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(1, timeout - waited))));
  }
}
