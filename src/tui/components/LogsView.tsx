/** This host's log tail, filtered by minimum level and by job id. */
import { Box, Text } from 'ink';
import type { LogLine } from '../host-view.js';
import { useColor, useConsoleState, useFocused, useKeys } from '../context.js';
import { LOG_LEVELS, type LogLevelFilter } from '../store.js';
import { formatLogLine } from './JobDetail.js';
import { oneLine } from '../sanitize.js';

/** Whether `line` passes the filter. */
export function logLineShown(line: LogLine, filter: { level: LogLevelFilter; jobId: string }): boolean {
  if (filter.jobId !== '' && line.jobId !== filter.jobId) return false;
  if (filter.level === 'all') return true;
  const rank = (level: string) => LOG_LEVELS.indexOf(level as (typeof LOG_LEVELS)[number]);
  return rank(line.level) >= rank(filter.level);
}

const LEVEL_COLORS: Record<string, string> = { warn: 'yellow', error: 'red', fatal: 'red', debug: 'gray', trace: 'gray' };

/** The log view. */
export function LogsView({ columns, rows }: { columns: number; rows: number }) {
  const focused = useFocused('logs');
  useKeys('logs', focused);
  const { logs, filter } = useConsoleState((s) => ({ logs: s.logs, filter: s.logFilter }));
  const color = useColor();
  const shown = logs.filter((line) => logLineShown(line, filter));
  const tail = shown.slice(-Math.max(1, rows - 1));
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold color={color('cyan')} wrap="truncate-end">
        {`Logs  level ≥ ${filter.level}  job ${filter.jobId || 'any'}  (${shown.length}/${logs.length} lines)`}
      </Text>
      {tail.map((line, i) => (
        <Text key={`${line.time}-${i}`} color={LEVEL_COLORS[line.level] ? color(LEVEL_COLORS[line.level]!) : undefined} wrap="truncate-end">
          {oneLine(`${formatLogLine(line)}${line.jobId ? `  job=${line.jobId}` : ''}${line.queue ? `  queue=${line.queue}` : ''}`)}
        </Text>
      ))}
      {shown.length === 0 ? <Text dimColor>no log lines match</Text> : null}
    </Box>
  );
}
