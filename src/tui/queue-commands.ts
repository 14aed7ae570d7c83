/** The console's commands carried out on the engine: one at a time, each ending as a toast. */
import { isRedisUnreachable } from '../engine/errors.js';
import type { RedisQueue } from '../engine/queue.js';
import type { Job } from '../engine/types.js';
import { runBulk } from './bulk.js';
import type { ConsoleCommands } from './keymap.js';
import type { BulkAction, Marks } from './marks.js';
import { presentError } from '../shared/present.js';
import { oneLine } from '../shared/sanitize.js';
import { tabTotal, type ConsoleStore, type ScheduleRow } from './store.js';

const message = (err: unknown) => oneLine(presentError(err));

export class QueueCommands implements ConsoleCommands {
  private actions: Promise<void> = Promise.resolve();

  /** `changed` hears of each queue an action changed, so the data source re-reads it at once. */
  constructor(
    private readonly queues: ReadonlyMap<string, RedisQueue>,
    private readonly store: ConsoleStore,
    private readonly changed: (queue: string) => void,
  ) {}

  /**
   * Runs an engine call for the user: success and failure both end up as a toast. `label` names the
   * action in a failure that leaves it unknown whether Redis carried it out (a lost connection).
   */
  private act(queueName: string, label: string, done: () => string, run: (queue: RedisQueue) => Promise<void>): Promise<void> {
    // One action at a time, in key order: `+` `+` reads the priority the first one wrote.
    this.actions = this.actions.then(() => this.runAction(queueName, label, done, run));
    return this.actions;
  }

  private async runAction(queueName: string, label: string, done: () => string, run: (queue: RedisQueue) => Promise<void>): Promise<void> {
    const queue = this.queues.get(queueName);
    try {
      if (!queue) throw new Error(`queue ${queueName} is not served by this console`);
      await run(queue);
      this.store.getState().toast('info', done());
      this.changed(queueName);
    } catch (err) {
      this.store.getState().toast('error', isRedisUnreachable(err) ? `${label}: not confirmed, ${message(err)}` : message(err));
    }
  }

  async cancel(job: Job): Promise<void> {
    await this.act(job.queue, `cancel ${job.id}`, () => `cancelled ${job.id}`, (queue) => queue.cancelJob(job.id));
  }

  async retry(job: Job): Promise<void> {
    await this.act(job.queue, `retry ${job.id}`, () => `${job.id} sent back to pending`, (queue) => queue.retryJob(job.id));
  }

  async changePriority(job: Job, delta: number): Promise<void> {
    let priority = job.priority + delta;
    await this.act(job.queue, `priority of ${job.id}`, () => `priority of ${job.id} is now ${priority}`, async (queue) => {
      const fresh = await queue.getJob(job.id);
      priority = (fresh?.priority ?? job.priority) + delta;
      await queue.setPriority(job.id, priority);
    });
  }

  async remove(job: Job): Promise<void> {
    await this.act(job.queue, `delete ${job.id}`, () => `deleted ${job.id}`, (queue) => queue.removeJob(job.id));
  }

  /** A bulk action on marked jobs: progress in the store as it goes, the marks cleared once it ran. */
  async bulk(action: BulkAction, marks: Marks): Promise<void> {
    const { setBulk, clearMarks, queues } = this.store.getState();
    const total = tabTotal(queues.find((row) => row.name === marks.queue)?.stats ?? null, marks.tab);
    const label = `${action === 'retry' ? 'retrying' : action === 'cancel' ? 'cancelling' : 'deleting'} ${marks.tab} jobs of ${marks.queue}`;
    let summary = '';
    setBulk({ label, done: 0, total: marks.all ? total : marks.ids.length });
    try {
      await this.act(marks.queue, label, () => summary, async (queue) => {
        const { done, skipped } = await runBulk(queue, action, marks, (done, of) => this.store.getState().setBulk({ label, done, total: of }));
        summary = `${label}: ${done} done${skipped > 0 ? `, ${skipped} skipped (no longer ${marks.tab})` : ''}`;
        clearMarks();
      });
    } finally {
      this.store.getState().setBulk(null);
    }
  }

  async togglePause(name: string): Promise<void> {
    let paused = false;
    const shownPaused = this.store.getState().queues.find((row) => row.name === name)?.paused ?? false;
    await this.act(name, `${shownPaused ? 'resume' : 'pause'} queue ${name}`, () => `queue ${name} ${paused ? 'paused' : 'resumed'}`, async (queue) => {
      paused = !(await queue.isPaused());
      await (paused ? queue.pause() : queue.resume());
      this.store.getState().patchQueue(name, { paused });
    });
  }

  async toggleSchedulePause(schedule: ScheduleRow): Promise<void> {
    const pause = !schedule.paused;
    await this.act(schedule.queue, `${pause ? 'pause' : 'resume'} schedule ${schedule.name}`, () => `schedule ${schedule.name} ${pause ? 'paused' : 'resumed'}`, (queue) =>
      pause ? queue.pauseSchedule(schedule.name) : queue.resumeSchedule(schedule.name));
  }

  async triggerSchedule(schedule: ScheduleRow): Promise<void> {
    let id = '';
    await this.act(schedule.queue, `run schedule ${schedule.name}`, () => `schedule ${schedule.name} ran now: job ${id}`, async (queue) => {
      id = await queue.triggerSchedule(schedule.name);
    });
  }
}
