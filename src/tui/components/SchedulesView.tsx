/** The schedules of the shown queues: timing, job type, state, next and last runs; keys pause and run one now. */
import { Box, Text } from 'ink';
import { age } from '../format.js';
import { shortDuration } from '../../shared/duration.js';
import { oneLine } from '../../shared/sanitize.js';
import { useColor, useConsoleState, useFocused, useKeys, useNow } from '../context.js';
import type { ScheduleRow } from '../store.js';
import { columnWidths, tableHeader, tableRow, type Column } from './table.js';

const COLUMNS: Column[] = [
  { title: 'QUEUE', width: 'flex', min: 6, max: 14 },
  { title: 'NAME', width: 'flex', min: 6, max: 20 },
  { title: 'WHEN', width: 24 },
  { title: 'TYPE', width: 'flex', min: 6, max: 16 },
  { title: 'STATE', width: 6 },
  { title: 'NEXT', width: 9, align: 'right' },
  { title: 'LAST', width: 9, align: 'right' },
];

/** When a schedule runs, as written: `0 3 * * * Europe/Berlin` or `every 1h00m`. */
function timingOf(schedule: ScheduleRow): string {
  if (schedule.every !== undefined) return `every ${shortDuration(schedule.every)}`;
  return schedule.tz === undefined ? schedule.cron ?? '' : `${schedule.cron} ${schedule.tz}`;
}

function cells(schedule: ScheduleRow, now: number): string[] {
  const next = schedule.paused ? '-' : age(schedule.nextRunAt, now);
  const last = schedule.lastRunAt === undefined ? '-' : `${age(schedule.lastRunAt, now)} ago`;
  return [schedule.queue, schedule.name, oneLine(timingOf(schedule)), oneLine(schedule.job.type), schedule.paused ? 'paused' : 'active', next, last];
}

/** The schedules view. */
export function SchedulesView({ columns, rows }: { columns: number; rows: number }) {
  const focused = useFocused('schedules');
  useKeys('schedules', focused);
  const { schedules, selected } = useConsoleState((s) => ({ schedules: s.schedules, selected: s.selectedSchedule }));
  const now = useNow();
  const color = useColor();
  const widths = columnWidths(COLUMNS, columns);
  const list = schedules ?? [];
  const height = Math.max(1, rows - 2);
  const first = Math.max(0, Math.min(selected - height + 1, list.length - height));
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold color={color('cyan')}>Schedules (p pause/resume, t run now)</Text>
      <Text bold>{tableHeader(COLUMNS, widths, columns)}</Text>
      {list.slice(first, first + height).map((schedule, i) => (
        <Text key={`${schedule.queue}/${schedule.name}`} inverse={focused && first + i === selected}
          color={schedule.paused ? color('yellow') : undefined} wrap="truncate-end">
          {tableRow(cells(schedule, now), COLUMNS, widths, columns)}
        </Text>
      ))}
      {schedules === null ? <Text dimColor>loading…</Text> : list.length === 0 ? <Text dimColor>no schedules</Text> : null}
    </Box>
  );
}
