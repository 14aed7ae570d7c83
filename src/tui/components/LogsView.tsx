/** This host's log tail, filtered by minimum level and by job id. */
import { Box, Text } from 'ink';
import { useEffect } from 'react';
import { useColor, useConsole, useConsoleState, useFocused, useKeys } from '../context.js';
import { logLineShown, logWindow } from '../log-lines.js';
import { formatLogLine } from './JobDetail.js';
import { presentText } from '../../shared/present.js';
import { oneLine } from '../../shared/sanitize.js';

const LEVEL_COLORS: Record<string, string> = { warn: 'yellow', error: 'red', fatal: 'red', debug: 'gray', trace: 'gray' };

/** The log view. */
export function LogsView({ columns, rows }: { columns: number; rows: number }) {
  const focused = useFocused('logs');
  useKeys('logs', focused);
  const { store } = useConsole();
  const { logs, filter, logScroll } = useConsoleState((s) => ({ logs: s.logs, filter: s.logFilter, logScroll: s.logScroll }));
  const color = useColor();
  const height = Math.max(1, rows - 1);
  useEffect(() => store.getState().setLogRows(height), [store, height]);
  const shown = logs.filter((line) => logLineShown(line, filter));
  const { lines, scroll } = logWindow(shown, height, logScroll);
  const where = scroll === 0 ? 'following' : `${shown.length - scroll - lines.length + 1}-${shown.length - scroll}, G follows`;
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold color={color('cyan')} wrap="truncate-end">
        {`Logs  level ≥ ${filter.level}  job ${oneLine(filter.jobId) || 'any'}  (${shown.length}/${logs.length} lines, ${where})`}
      </Text>
      {lines.map((line, i) => (
        <Text key={`${line.time}-${i}`} color={LEVEL_COLORS[line.level] ? color(LEVEL_COLORS[line.level]!) : undefined} wrap="truncate-end">
          {oneLine(presentText(`${formatLogLine(line)}${line.jobId ? `  job=${line.jobId}` : ''}${line.queue ? `  queue=${line.queue}` : ''}`))}
        </Text>
      ))}
      {shown.length === 0 ? <Text dimColor>no log lines match</Text> : null}
    </Box>
  );
}
