/**
 * One row per queue: state (running, paused, or limited while its rate limit holds ready jobs back),
 * counts by status, finish rate and how long the oldest ready job has waited.
 */
import { Box, Text } from 'ink';
import { age, rate } from '../format.js';
import { useColor, useConsoleState, useFocused, useKeys, useNow } from '../context.js';
import { columnWidths, columnsThatFit, compactCount, tableHeader, tableRow, type Column } from './table.js';
import type { ShardRow } from '../store.js';

const COLUMNS: Column[] = [
  { title: 'QUEUE', width: 'flex', min: 6, max: 32 },
  { title: 'STATE', width: 7 },
  { title: 'PEND', width: 5, align: 'right' },
  { title: 'DELAY', width: 5, align: 'right' },
  { title: 'PROC', width: 5, align: 'right' },
  { title: 'RETRY', width: 5, align: 'right' },
  { title: 'FAIL', width: 5, align: 'right' },
  { title: 'DONE', width: 5, align: 'right' },
  { title: 'CANCL', width: 5, align: 'right' },
  { title: 'RATE', width: 7, align: 'right' },
  { title: 'OLDEST', width: 7, align: 'right' },
];

// On a narrow screen these go first to last, so queue names are not cut to `defau…`.
const DROP_ORDER = ['CANCL', 'DELAY', 'RETRY', 'RATE', 'OLDEST', 'DONE'];

/** The selected sharded queue's shards in one line: number, primary (on a cluster) and main counts. */
export function shardLine(shards: readonly ShardRow[]): string {
  return 'shards  ' + shards.map(({ shard, node, stats, paused }) => [
    `#${shard}`, ...(node === undefined ? [] : [node]), ...(paused ? ['paused'] : []),
    `pend ${compactCount(stats.pendingJobs)}`, `proc ${compactCount(stats.processingJobs)}`, `done ${compactCount(stats.completedJobs)}`,
  ].join(' ')).join('  │  ');
}

/** Queue rows shown at most, so the jobs pane keeps room at 24 lines. */
export const MAX_QUEUE_ROWS = 5;

/** The queues pane. */
export function QueuesTable({ columns }: { columns: number }) {
  const focused = useFocused('queues');
  useKeys('queues', focused);
  const { queues, selected } = useConsoleState((s) => ({ queues: s.queues, selected: s.selectedQueue }));
  const now = useNow();
  const color = useColor();
  const first = Math.max(0, Math.min(selected - MAX_QUEUE_ROWS + 1, queues.length - MAX_QUEUE_ROWS));
  const visible = queues.slice(first, first + MAX_QUEUE_ROWS);
  const names = visible.map((row) => (row.shards === undefined ? row.name : `${row.name} ×${row.shards.length}`));
  const layout = columnsThatFit(COLUMNS, columns, Math.max('QUEUE'.length, ...names.map((name) => [...name].length)), DROP_ORDER);
  const widths = columnWidths(layout, columns);
  const shards = queues[selected]?.shards;
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold color={color(focused ? 'cyan' : 'gray')}>{tableHeader(layout, widths, columns)}</Text>
      {visible.map((row, i) => {
        const s = row.stats;
        const cells = [
          names[i]!, row.paused ? 'paused' : row.rateLimited ? 'limited' : 'running',
          compactCount(s?.pendingJobs), compactCount(s?.delayedJobs), compactCount(s?.processingJobs),
          compactCount(s?.retryingJobs), compactCount(s?.failedJobs), compactCount(s?.completedJobs),
          compactCount(s?.cancelledJobs), rate(row.rate), row.oldestReadyAt === null ? '-' : age(row.oldestReadyAt, now),
        ];
        const isSelected = first + i === selected;
        return (
          <Text key={row.name} inverse={isSelected && focused} bold={isSelected} color={row.paused ? color('yellow') : row.rateLimited ? color('magenta') : undefined} wrap="truncate-end">
            {tableRow(layout.map((column) => cells[COLUMNS.indexOf(column)]!), layout, widths, columns)}
          </Text>
        );
      })}
      {queues.length === 0 ? <Text dimColor>no queue used under this prefix yet: a queue shows here once a job is added to it</Text> : null}
      {shards === undefined ? null : <Text dimColor wrap="truncate-end">{shardLine(shards)}</Text>}
    </Box>
  );
}
