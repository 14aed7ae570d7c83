/** The hosts and workers serving these queues, as their heartbeats show them. */
import { Box, Text } from 'ink';
import { age } from '../format.js';
import { useColor, useConsoleState, useFocused, useKeys, useNow } from '../context.js';
import { columnWidths, tableHeader, tableRow, type Column } from './table.js';

const COLUMNS: Column[] = [
  { title: 'HOST', width: 'flex', min: 8, max: 40 },
  { title: 'PID', width: 7, align: 'right' },
  { title: 'QUEUE', width: 'flex', min: 6, max: 32 },
  { title: 'BUSY', width: 7, align: 'right' },
  { title: 'FETCHED', width: 8, align: 'right' },
  { title: 'SEEN', width: 8, align: 'right' },
  { title: 'HEALTH', width: 8 },
];

/** How long ago a worker last fetched; a heartbeat says epoch 0 for a worker that never has. */
export function fetchedAgo(lastFetchAt: Date, now: number): string {
  return lastFetchAt.getTime() <= 0 ? 'never' : age(lastFetchAt, now);
}

/** The workers view. */
export function WorkersView({ columns, rows }: { columns: number; rows: number }) {
  const focused = useFocused('workers');
  useKeys('workers', focused);
  const workers = useConsoleState((s) => s.workers);
  const now = useNow();
  const color = useColor();
  const widths = columnWidths(COLUMNS, columns);
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold color={color('cyan')}>Workers (all hosts, from heartbeats)</Text>
      <Text bold>{tableHeader(COLUMNS, widths, columns)}</Text>
      {workers.slice(0, Math.max(1, rows - 2)).map((w) => (
        <Text key={w.id} color={w.healthy ? undefined : color('red')} wrap="truncate-end">
          {tableRow([
            w.host, String(w.pid), w.queue, `${w.busy}/${w.concurrency}`,
            fetchedAgo(w.lastFetchAt, now), age(w.lastSeenAt, now), w.healthy ? 'healthy' : 'STALE',
          ], COLUMNS, widths, columns)}
        </Text>
      ))}
      {workers.length === 0 ? <Text dimColor>no workers seen</Text> : null}
    </Box>
  );
}
