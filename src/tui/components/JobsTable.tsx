/** The selected queue's jobs, one tab per status, one page at a time (only that page is fetched). */
import { Box, Text } from 'ink';
import type { Job } from '../../engine/types.js';
import { age, errorStart, handlerStopText, inlineJson, progressBar, progressFraction } from '../format.js';
import { rateLimitText } from '../../shared/rate-limit-text.js';
import { useColor, useConsoleState, useFocused, useKeys, useNow } from '../context.js';
import { STATUS_TABS, listedJobs, pageCount, selectedQueueRow, tabTotal, type StatusTab } from '../store.js';
import { markedCount, marksShown, type Marks } from '../marks.js';
import { columnWidths, compactCount, tableHeader, tableRow, type Column } from './table.js';

/** Width of the ID column: ids are 12 characters, longer on sharded queues; the column fits the page's longest. */
const idWidth = (jobs: readonly Job[]) => jobs.reduce((width, job) => Math.max(width, [...job.id].length), 16);

function columnsFor(tab: StatusTab, jobs: readonly Job[], marking: boolean): Column[] {
  const when = tab === 'delayed' || tab === 'retrying' ? 'RUN AT' : 'AGE';
  // The error (or result) column takes what is left: it is the one whose text runs long.
  const columns: Column[] = [
    // While jobs are marked, the ID column starts with a `*` for each marked one.
    { title: 'ID', width: idWidth(jobs) + (marking ? 2 : 0) },
    { title: 'TYPE', width: 'flex', min: 6, max: 24 },
    { title: 'PRIO', width: 5, align: 'right' },
    { title: 'TRIES', width: 5, align: 'right' },
    // Due times run up to `in 364d23h` (delays go up to 365 days); ages fit 8 (`364d23h`).
    { title: when, width: when === 'RUN AT' ? 10 : 8, align: 'right' },
  ];
  if (tab === 'processing') columns.push({ title: 'PROGRESS', width: 14 });
  columns.push({ title: tab === 'completed' ? 'RESULT' : 'LAST ERROR', width: 'flex', min: 6 });
  return columns;
}

function cells(job: Job, tab: StatusTab, now: number, marks: Marks | null): string[] {
  const due = job.runAt && job.runAt.getTime() > now ? age(job.runAt, now) : age(job.enteredAt, now);
  const id = marks ? `${marks.all || marks.ids.includes(job.id) ? '*' : ' '} ${job.id}` : job.id;
  const row = [id, job.type, String(job.priority), `${job.attempts}/${job.maxAttempts}`, due];
  if (tab === 'processing') {
    const fraction = progressFraction(job.progress);
    row.push(fraction === undefined ? (job.progress === undefined ? '' : inlineJson(job.progress)) : progressBar(fraction, 14));
  }
  const stop = handlerStopText(job);
  row.push(tab === 'completed' ? (job.result === undefined ? '' : inlineJson(job.result)) : stop ? `[handler ${stop}] ${errorStart(job.error)}`.trimEnd() : errorStart(job.error));
  return row;
}

/** The tab strip: `1 pending 12  2 delayed 0 …`, the active one highlighted. */
function Tabs({ columns }: { columns: number }) {
  const { tab, stats, search, offset, pageSize, pages, marks, rateLimit, rateLimited, groupCap } = useConsoleState((s) => ({
    tab: s.tab, stats: selectedQueueRow(s)?.stats ?? null, search: s.search, offset: s.offset, pageSize: s.pageSize, pages: pageCount(s),
    marks: marksShown(s.marks, selectedQueueRow(s)?.name, s.tab),
    rateLimit: selectedQueueRow(s)?.rateLimit ?? null, rateLimited: selectedQueueRow(s)?.rateLimited ?? false,
    groupCap: selectedQueueRow(s)?.groupConcurrency,
  }));
  const color = useColor();
  // Marking the whole tab marks the jobs its stats count (a pending page's places may be more).
  const marked = marks ? ` · ${marks.all ? 'all ' : ''}${markedCount(marks, tabTotal(stats, tab))} marked` : '';
  const where = (search ? `search "${search.query}"` : `page ${Math.floor(offset / pageSize) + 1}/${pages}`) + marked;
  const label = (name: StatusTab, i: number, short: boolean) => `${i + 1}:${short ? name.slice(0, 4) : name} ${compactCount(tabTotal(stats, name))}`;
  const longWidth = STATUS_TABS.reduce((sum, name, i) => sum + label(name, i, false).length + 1, 0) + where.length + 2;
  const short = longWidth > columns;
  return (
    <Text wrap="truncate-end">
      <Text dimColor>{`${where}  `}</Text>
      {STATUS_TABS.map((name, i) => (
        <Text key={name} inverse={name === tab} color={name === 'failed' && (stats?.failedJobs ?? 0) > 0 ? color('red') : undefined}>
          {label(name, i, short)}
        </Text>
      )).flatMap((node, i) => (i === 0 ? [node] : [<Text key={`s${i}`}> </Text>, node]))}
      {rateLimit ? <Text color={rateLimited ? color('magenta') : undefined} dimColor={!rateLimited}>{`  limit ${rateLimitText(rateLimit)}${rateLimited ? ' held' : ''}`}</Text> : null}
      {groupCap ? <Text dimColor>{`  ≤${groupCap} per group`}</Text> : null}
    </Text>
  );
}

/** What an empty jobs pane says: the tab has no jobs, they are being read, or Redis is away (none known). */
function emptyLine(tab: StatusTab, reading: boolean, lost: boolean): string {
  if (!reading) return `no ${tab} jobs`;
  return lost ? `${tab} jobs not read yet: waiting for Redis` : 'loading…';
}

/** The jobs pane. */
export function JobsTable({ columns, rows }: { columns: number; rows: number }) {
  const focused = useFocused('jobs');
  useKeys('jobs', focused);
  const { tab, jobs, selected, loading, searching, marks, lost, queueShown } = useConsoleState((s) => ({
    queueShown: selectedQueueRow(s) !== null,
    tab: s.tab, jobs: listedJobs(s), selected: s.selectedIndex, loading: s.page === null && !s.search, lost: s.header.connection !== 'connected',
    searching: s.search !== null && s.search.results === null, marks: marksShown(s.marks, selectedQueueRow(s)?.name, s.tab),
  }));
  const now = useNow();
  const color = useColor();
  const layout = columnsFor(tab, jobs, marks !== null);
  const widths = columnWidths(layout, columns);
  const first = Math.max(0, Math.min(selected - rows + 1, jobs.length - rows));
  return (
    <Box flexDirection="column" width={columns}>
      <Tabs columns={columns} />
      <Text bold color={color(focused ? 'cyan' : 'gray')}>{tableHeader(layout, widths, columns)}</Text>
      {jobs.slice(first, first + rows).map((job, i) => (
        <Text key={job.id} inverse={focused && first + i === selected} color={job.error && tab !== 'completed' ? color('red') : undefined} wrap="truncate-end">
          {tableRow(cells(job, tab, now, marks), layout, widths, columns)}
        </Text>
      ))}
      {jobs.length === 0 && queueShown ? <Text dimColor>{emptyLine(tab, loading || searching, lost)}</Text> : null}
    </Box>
  );
}
