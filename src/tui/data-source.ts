/**
 * The console's reads from the engine (its actions are queue-commands.ts'). It follows each queue's
 * event feed (reading only new entries), refreshes stats and the visible page of jobs when events say
 * something changed, loads job details, hands the user's actions on, and reports Redis trouble as a
 * banner while it retries.
 */
import type { Topology } from '../engine/connection.js';
import type { RedisQueue } from '../engine/queue.js';
import type { Job } from '../engine/types.js';
import type { HostView, LogLine } from './host-view.js';
import { findJob, listSchedules, listWorkers, searchTab } from './lookups.js';
import type { ConsoleCommands } from './keymap.js';
import { QueueCommands } from './queue-commands.js';
import { RateMeter, eventTime } from './rates.js';
import { presentJob } from '../shared/present.js';
import { listedJobs, selectedQueueRow, type ConsoleState, type ConsoleStore } from './store.js';

/** How often and how far the data source looks. */
export interface DataSourceOptions {
  /** Ms between event-feed reads; the console is this fresh. */
  pollMs?: number;
  /** Ms between full stats refreshes even without events (a safety net for a trimmed feed). */
  statsMs?: number;
  /** Ms between worker-list refreshes while the workers view is open. */
  workersMs?: number;
  /** Ms between looks for queues first used since the console opened (where the host's set can grow). */
  queuesMs?: number;
  /** Most jobs a text search looks through. */
  searchLimit?: number;
  /** `redact` paths of flexq.toml: masked (with the default secret names) in every job the store gets. */
  redact?: readonly string[];
}

const DEFAULT_OPTIONS: Required<DataSourceOptions> = {
  pollMs: 300, statsMs: 5_000, workersMs: 2_000, queuesMs: 3_000, searchLimit: 2_000, redact: [],
};

/** Seconds shown in the header sparklines. */
const HISTORY_SECONDS = 20;
/** Events read per round trip. */
const FEED_BATCH = 1_000;

const sameNumbers = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);

/** The header's word on where the queues run; none for one plain Redis (the address says it). */
function describeTopology(topology: Topology): string | undefined {
  if (topology.kind === 'standalone') return undefined;
  return topology.kind === 'cluster' ? `cluster, ${topology.primaries.length} primaries` : `sentinel, primary ${topology.primaries[0]}`;
}

/** Feeds a console store from a host's queues, and carries out the console's commands. */
export class ConsoleDataSource {
  /** The user's actions (the console's keys send them here). */
  readonly commands: ConsoleCommands;
  private readonly options: Required<DataSourceOptions>;
  private readonly queues = new Map<string, RedisQueue>();
  private readonly lastIds = new Map<string, string>();
  private readonly dirtyStats = new Set<string>();
  private readonly rates = new RateMeter();
  private pageDirty = true;
  private detailDirty = false;
  private searchDirty = false;
  private lastStatsAt = 0;
  private lastWorkersAt = 0;
  private lastChartsAt = 0;
  private lastSchedulesAt = 0;
  private lastQueuesAt = 0;
  private feedOk = true;
  private pendingLogs: LogLine[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private again = false;
  private running = false;

  constructor(private readonly view: HostView, private readonly store: ConsoleStore, options: DataSourceOptions = {}) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
    for (const queue of view.queues) this.queues.set(queue.name, queue);
    this.commands = new QueueCommands(this.queues, store, (queue) => this.changed(queue));
  }

  /** Loads the first picture and starts following; resolves once the first picture is in the store. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.store.getState().appendLogs(this.view.logs.lines());
    this.unsubscribe.push(this.view.logs.subscribe((line) => this.pendingLogs.push(line)));
    if (this.view.onConnectionChange) this.unsubscribe.push(this.view.onConnectionChange(() => this.kick()));
    this.unsubscribe.push(this.store.subscribe((state, previous) => this.onStoreChange(state, previous)));
    await this.runTick();
  }

  /** Stops following; resolves once a running round has ended. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    for (const off of this.unsubscribe.splice(0)) off();
    await this.ticking;
  }

  /** What the user asked for changed: fetch what it needs now rather than at the next poll. */
  private onStoreChange(state: ConsoleState, previous: ConsoleState): void {
    let wanted = false;
    if (state.selectedQueue !== previous.selectedQueue || state.tab !== previous.tab || state.offset !== previous.offset
      || state.pageSize !== previous.pageSize || (state.page === null && previous.page !== null)) {
      this.pageDirty = wanted = true;
    }
    if (state.search && state.search.results === null && state.search.query !== previous.search?.query) this.searchDirty = wanted = true;
    if (state.detail && (state.detail.id !== previous.detail?.id || state.detail.queue !== previous.detail?.queue)) this.detailDirty = wanted = true;
    if (state.view === 'workers' && previous.view !== 'workers') {
      this.lastWorkersAt = 0;
      wanted = true;
    }
    if (state.view === 'queue' && previous.view !== 'queue') {
      this.lastChartsAt = 0;
      wanted = true;
    }
    if (state.view === 'schedules' && previous.view !== 'schedules') {
      this.lastSchedulesAt = 0;
      wanted = true;
    }
    if (wanted) this.kick();
  }

  /** Runs a round as soon as possible (after the current one, if one runs). */
  private kick(): void {
    if (!this.running) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runTick(), 0);
  }

  private runTick(): Promise<void> {
    this.ticking = this.tick().finally(() => {
      this.ticking = undefined;
      if (!this.running) return;
      const wait = this.again ? 0 : this.options.pollMs;
      this.again = false;
      this.timer = setTimeout(() => void this.runTick(), wait);
    });
    return this.ticking;
  }

  private async tick(): Promise<void> {
    try {
      if (Date.now() - this.lastQueuesAt >= this.options.queuesMs) await this.discoverQueues();
      await this.readFeeds();
      await this.refreshStats();
      if (this.pageDirty) await this.loadPage();
      if (this.searchDirty) await this.runSearch();
      if (this.detailDirty) await this.loadDetail();
      if (this.store.getState().view === 'workers' && Date.now() - this.lastWorkersAt >= this.options.workersMs) await this.loadWorkers();
      if (this.store.getState().view === 'queue' && Date.now() - this.lastChartsAt >= this.options.workersMs) await this.loadCharts();
      // Schedules change without events (a pause elsewhere, a tick): refreshed like workers while shown.
      if (this.store.getState().view === 'schedules' && Date.now() - this.lastSchedulesAt >= this.options.workersMs) await this.loadSchedules();
      this.setFeedOk(true);
    } catch {
      // While quitting, the host closes its connections under us: that is no lost Redis.
      if (!this.store.getState().quitting) this.setFeedOk(false);
    }
    this.updateHeader();
    this.flushLogs();
    const { quitting, setQuitting } = this.store.getState();
    if (quitting && quitting.inFlight !== this.view.inFlight()) setQuitting(this.view.inFlight());
  }

  private setFeedOk(ok: boolean): void {
    if (ok === this.feedOk) return;
    this.feedOk = ok;
    if (ok) {
      // Back after an outage: whatever happened meanwhile, look at everything again.
      for (const name of this.queues.keys()) this.dirtyStats.add(name);
      this.pageDirty = true;
      if (this.store.getState().detail) this.detailDirty = true;
    }
  }

  /** Adds the queues first used since the console opened; the next feed read starts following them. */
  private async discoverQueues(): Promise<void> {
    this.lastQueuesAt = Date.now();
    if (!this.view.discoverQueues) return;
    const added = (await this.view.discoverQueues()).filter((queue) => !this.queues.has(queue.name));
    if (added.length === 0) return;
    for (const queue of added) this.queues.set(queue.name, queue);
    this.store.getState().addQueues(added.map((queue) => queue.name));
    this.pageDirty = true; // the first queue of a console that had none is selected now
  }

  /** Reads each queue's new events and notes what they make stale. */
  private async readFeeds(): Promise<void> {
    const state = this.store.getState();
    const shownQueue = selectedQueueRow(state)?.name;
    const detailId = state.detail?.id;
    const pageIds = new Set(listedJobs(state).map((job) => job.id));
    await Promise.all([...this.queues.values()].map(async (queue) => {
      let after = this.lastIds.get(queue.name);
      if (after === undefined) {
        after = await queue.lastEventId();
        this.lastIds.set(queue.name, after);
        this.dirtyStats.add(queue.name);
        return;
      }
      for (let round = 0; round < 10; round++) {
        const events = await queue.readEvents(after, FEED_BATCH);
        for (const event of events) {
          this.rates.record(queue.name, event.event, event.jobCount, eventTime(event.id));
          if (event.event === 'paused' || event.event === 'resumed') this.store.getState().patchQueue(queue.name, { paused: event.event === 'paused' });
          // Progress changes no count: it matters only to the rows and detail that show that job.
          const countsChanged = event.event !== 'progress';
          if (countsChanged) this.dirtyStats.add(queue.name);
          if (queue.name === shownQueue && (countsChanged || event.jobIds.some((id) => pageIds.has(id)))) this.pageDirty = true;
          if (detailId !== undefined && event.jobIds.includes(detailId)) this.detailDirty = true;
          after = event.id;
        }
        this.lastIds.set(queue.name, after);
        if (events.length < FEED_BATCH) break;
      }
    }));
  }

  private async refreshStats(): Promise<void> {
    if (Date.now() - this.lastStatsAt >= this.options.statsMs) {
      for (const name of this.queues.keys()) this.dirtyStats.add(name);
    }
    if (this.dirtyStats.size === 0) return;
    const names = [...this.dirtyStats];
    this.dirtyStats.clear();
    const all = names.length === this.queues.size;
    try {
      // One read per queue: counts, paused state, the oldest ready job's wait and the rate limit.
      const rows = await Promise.all(names.map(async (name) => {
        const { stats, paused, oldestReadyAt, shards, rateLimit, rateLimited, groupConcurrency } = await this.queues.get(name)!.getOverview();
        const row = {
          name, stats, paused, oldestReadyAt: oldestReadyAt === null ? null : oldestReadyAt.getTime(),
          rateLimit: rateLimit === null ? null : { max: rateLimit.max, per: rateLimit.per }, rateLimited,
          ...(groupConcurrency === null ? {} : { groupConcurrency }),
        };
        return shards === undefined ? row : { ...row, shards: shards.map(({ oldestReadyAt: _at, ...shard }) => shard) };
      }));
      const now = Date.now();
      const { queues, setQueues } = this.store.getState();
      setQueues(queues.map((row) => {
        const fresh = rows.find((r) => r.name === row.name);
        const rate = this.rates.rate('out', now, row.name);
        return fresh ? { ...row, ...fresh, rate } : row.rate === rate ? row : { ...row, rate };
      }));
      if (all) {
        this.lastStatsAt = now;
        const topology = describeTopology(this.queues.values().next().value!.getTopology());
        // An unchanged topology leaves the header object (and its render) as it is.
        if (topology !== this.store.getState().header.topology) this.store.getState().setHeader({ topology });
      }
    } catch (err) {
      for (const name of names) this.dirtyStats.add(name);
      throw err;
    }
  }

  private async loadPage(): Promise<void> {
    this.pageDirty = false;
    const state = this.store.getState();
    const row = selectedQueueRow(state);
    const queue = row && this.queues.get(row.name);
    if (!row || !queue) return;
    const { tab, offset, pageSize } = state;
    try {
      const { jobs, total } = await queue.pageJobs(tab, { offset, limit: pageSize });
      const now = this.store.getState();
      if (selectedQueueRow(now)?.name !== row.name || now.tab !== tab || now.offset !== offset) return; // moved on meanwhile
      if (jobs.length === 0 && offset > 0) {
        // The page emptied under us: go to the last page there is.
        const last = Math.max(0, Math.ceil(total / pageSize) - 1) * pageSize;
        this.store.setState({ offset: Math.min(last, offset - pageSize), selectedIndex: 0 });
        return;
      }
      now.setPage({ queue: row.name, tab, offset, jobs: jobs.map(this.present), total });
    } catch (err) {
      this.pageDirty = true;
      throw err;
    }
  }

  /** A search: a job id opens that job wherever it is; other text filters the current tab (bounded). */
  private async runSearch(): Promise<void> {
    this.searchDirty = false;
    const state = this.store.getState();
    const query = state.search?.query;
    const row = selectedQueueRow(state);
    if (!query) return;
    if (!/[\s,]/.test(query)) {
      const found = await this.findJob(query);
      if (found) {
        this.store.getState().clearSearch();
        this.store.getState().openDetail(found.queue, found.id);
        return;
      }
    }
    const queue = row && this.queues.get(row.name);
    if (!queue) return;
    const { matches, scanned } = await searchTab(queue, state.tab, query, this.options.searchLimit, this.present);
    this.store.getState().setSearchResults(query, matches, scanned);
  }

  /**
   * Jobs enter the store only as shown (`presentJob`): every view draws, and every search matches,
   * masked data, so no view can show a secret that another masks.
   */
  private readonly present = (job: Job): Job => presentJob(job, this.options.redact);

  private findJob(id: string): Promise<Job | null> {
    return findJob(this.queues.values(), id);
  }

  private async loadDetail(): Promise<void> {
    this.detailDirty = false;
    const detail = this.store.getState().detail;
    if (!detail) return;
    try {
      const queue = detail.queue === null ? undefined : this.queues.get(detail.queue);
      const job = queue ? await queue.getJob(detail.id) : await this.findJob(detail.id);
      const current = this.store.getState().detail;
      if (current?.id !== detail.id) return;
      this.store.getState().setDetail({ ...current, queue: job?.queue ?? current.queue, job: job && this.present(job), missing: job === null });
    } catch (err) {
      this.detailDirty = true;
      throw err;
    }
  }

  private async loadWorkers(): Promise<void> {
    this.lastWorkersAt = Date.now();
    this.store.getState().setWorkers(await listWorkers([...this.queues.values()]));
  }

  /** Totals and the last day's history of the selected queue, for the queue view. */
  private async loadCharts(): Promise<void> {
    this.lastChartsAt = Date.now();
    const queue = this.queues.get(selectedQueueRow(this.store.getState())?.name ?? '');
    if (!queue) return;
    const [totals, history] = await Promise.all([queue.getTotals(), queue.getHistory({ minutes: 1_440 })]);
    const minutes = history.map(({ at, completed, failed }) => ({ at: at.getTime(), completed, failed }));
    this.store.getState().setQueueCharts({ queue: queue.name, totals, minutes });
  }

  private async loadSchedules(): Promise<void> {
    this.lastSchedulesAt = Date.now();
    this.store.getState().setSchedules(await listSchedules([...this.queues.values()], this.options.redact));
  }

  private updateHeader(): void {
    const now = Date.now();
    const pool = this.view.pool();
    const connection = this.feedOk && this.view.connectionState() === 'connected' ? 'connected' : 'reconnecting';
    const next = {
      connection, busy: pool.reduce((sum, slot) => sum + slot.busy, 0), concurrency: pool.reduce((sum, slot) => sum + slot.concurrency, 0),
      inRate: this.rates.rate('in', now), outRate: this.rates.rate('out', now),
      inHistory: this.rates.history('in', HISTORY_SECONDS, now), outHistory: this.rates.history('out', HISTORY_SECONDS, now),
    } as const;
    const { header, setHeader } = this.store.getState();
    const changed = header.connection !== next.connection || header.busy !== next.busy || header.concurrency !== next.concurrency
      || header.inRate !== next.inRate || header.outRate !== next.outRate
      || !sameNumbers(header.inHistory, next.inHistory) || !sameNumbers(header.outHistory, next.outHistory);
    if (changed) setHeader(next);
    const alerts = (this.view.firingAlerts?.() ?? []).map(({ rule, queue, detail }) => ({ rule, queue, detail }));
    if (JSON.stringify(alerts) !== JSON.stringify(header.alerts)) setHeader({ alerts });
    // Per-queue rates decay without events, too.
    const { queues, setQueues } = this.store.getState();
    if (queues.some((row) => row.rate !== this.rates.rate('out', now, row.name))) {
      setQueues(queues.map((row) => ({ ...row, rate: this.rates.rate('out', now, row.name) })));
    }
  }

  private flushLogs(): void {
    if (this.pendingLogs.length === 0) return;
    const lines = this.pendingLogs;
    this.pendingLogs = [];
    this.store.getState().appendLogs(lines);
  }

  /** An action of the user changed `queue`: re-read it now. */
  private changed(queue: string): void {
    this.dirtyStats.add(queue);
    this.pageDirty = this.detailDirty = true;
    this.lastSchedulesAt = 0;
    this.kick();
  }
}
