/**
 * The queue detail (`i`): totals since the queue was first used, and jobs completed and failed per
 * minute over the last hour and per few minutes over the last day, as bar charts with their peaks.
 */
import { Box, Text } from 'ink';
import { useColor, useConsoleState, useFocused, useKeys } from '../context.js';
import { fit, sparkline } from '../format.js';
import { buckets, minutesPerColumn, type QueueCharts } from '../history-chart.js';
import { selectedQueueRow } from '../store.js';

const LABEL = 11;

/** One chart line: label, bars over the window, then the sum and the peak bar. */
function ChartLine({ label, values, colour }: { label: string; values: number[]; colour: string | undefined }) {
  const sum = values.reduce((a, b) => a + b, 0);
  return (
    <Text wrap="truncate-end">
      {fit(label, LABEL)}
      <Text color={colour}>{sparkline(values)}</Text>
      {` ${sum}, peak ${Math.max(0, ...values)}`}
    </Text>
  );
}

/** One window (last hour, last day) of the history, `width` bars wide. */
function Window({ title, charts, minutes, width }: { title: string; charts: QueueCharts; minutes: number; width: number }) {
  const color = useColor();
  const shown = charts.minutes.slice(-minutes);
  const step = minutesPerColumn(minutes, width);
  const bars = Math.ceil(minutes / step);
  return (
    <Box flexDirection="column">
      <Text bold>{`${title} (one bar = ${step} min, oldest left)`}</Text>
      <ChartLine label="completed" values={buckets(shown.map((m) => m.completed), bars)} colour={color('green')} />
      <ChartLine label="failed" values={buckets(shown.map((m) => m.failed), bars)} colour={color('red')} />
    </Box>
  );
}

/** The queue view. */
export function QueueView({ columns }: { columns: number; rows: number }) {
  useKeys('queue', useFocused('queue'));
  const { name, charts } = useConsoleState((s) => ({ name: selectedQueueRow(s)?.name ?? '', charts: s.queueCharts }));
  const color = useColor();
  const width = Math.max(10, Math.min(60, columns - LABEL - 22));
  if (!charts || charts.queue !== name) return <Text dimColor>{`loading the history of ${name}…`}</Text>;
  const { completed, failed } = charts.totals;
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold color={color('cyan')} wrap="truncate-end">{`Queue ${name}`}</Text>
      <Text wrap="truncate-end">{`Since first use: ${completed} completed, ${failed} failed (retention does not lower these)`}</Text>
      <Window title="Last hour" charts={charts} minutes={60} width={width} />
      <Window title="Last 24 hours" charts={charts} minutes={1_440} width={width} />
    </Box>
  );
}
