/**
 * One row per queue: state (running, paused, or limited while its rate limit holds ready jobs back),
 * counts by status, finish rate and how long the oldest ready job has waited.
 */
import { Box, Text } from 'ink';
import { age, rate } from '../format.js';
import { useColor, useConsoleState, useFocused, useKeys, useNow } from '../context.js';
import { columnWidths, compactCount, tableHeader, tableRow, type Column } from './table.js';
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
  const widths = columnWidths(COLUMNS, columns);
  const first = Math.max(0, Math.min(selected - MAX_QUEUE_ROWS + 1, queues.length - MAX_QUEUE_ROWS));
  const visible = queues.slice(first, first + MAX_QUEUE_ROWS);
  const shards = queues[selected]?.shards;
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold color={color(focused ? 'cyan' : 'gray')}>{tableHeader(COLUMNS, widths, columns)}</Text>
      {visible.map((row, i) => {
        const s = row.stats;
        const cells = [
          row.shards === undefined ? row.name : `${row.name} ×${row.shards.length}`, row.paused ? 'paused' : row.rateLimited ? 'limited' : 'running',
          compactCount(s?.pendingJobs), compactCount(s?.delayedJobs), compactCount(s?.processingJobs),
          compactCount(s?.retryingJobs), compactCount(s?.failedJobs), compactCount(s?.completedJobs),
          compactCount(s?.cancelledJobs), rate(row.rate), row.oldestReadyAt === null ? '-' : age(row.oldestReadyAt, now),
        ];
        const isSelected = first + i === selected;
        return (
          <Text key={row.name} inverse={isSelected && focused} bold={isSelected} color={row.paused ? color('yellow') : row.rateLimited ? color('magenta') : undefined} wrap="truncate-end">
            {tableRow(cells, COLUMNS, widths, columns)}
          </Text>
        );
      })}
      {queues.length === 0 ? <Text dimColor>no queues</Text> : null}
      {shards === undefined ? null : <Text dimColor wrap="truncate-end">{shardLine(shards)}</Text>}
    </Box>
  );
}
