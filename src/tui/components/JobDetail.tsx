/** Everything about one job: fields, payload and result (redacted paths masked), error, failed attempts, its log lines. */
import { Box, Text } from 'ink';
import type { Job } from '../../engine/types.js';
import type { LogLine } from '../host-view.js';
import { age, handlerStopText, inlineJson, prettyJson, progressBar, progressFraction } from '../format.js';
import { presentJob, presentText } from '../../shared/present.js';
import { oneLine, sanitize } from '../../shared/sanitize.js';
import { shownStatus } from '../../shared/shown-status.js';
import { useColor, useConsole, useConsoleState, useFocused, useKeys, useNow } from '../context.js';

/** One line of the detail, with an optional colour. */
interface DetailLine {
  text: string;
  color?: string;
  bold?: boolean;
}

const when = (at: Date | undefined, now: number) => (at ? `${at.toISOString()} (${age(at, now)}${at.getTime() <= now ? ' ago' : ''})` : '-');

/** A log line as the console prints it: time, level, message and, for one that went wrong, why. */
export function formatLogLine(line: LogLine): string {
  const time = new Date(line.time).toISOString().slice(11, 19);
  return oneLine(presentText(`${time} ${line.level.toUpperCase().padEnd(5)} ${line.msg}${line.error === undefined ? '' : `: ${line.error}`}`));
}

/** The detail as lines, so the view can scroll through it. */
export function detailLines(raw: Job, logs: readonly LogLine[], redact: readonly string[], now: number): DetailLine[] {
  // The data source stores jobs presented already; presenting again costs little and keeps the
  // detail masked for any store filled some other way.
  const job = presentJob(raw, redact);
  const field = (name: string, value: string): DetailLine => ({ text: `${name.padEnd(11)}${oneLine(value)}` });
  const block = (title: string, text: string, color?: string): DetailLine[] => [
    { text: title, bold: true },
    ...text.split('\n').map((line) => ({ text: `  ${line}`, ...(color ? { color } : {}) })),
  ];
  const fraction = progressFraction(job.progress);
  const lines: DetailLine[] = [
    field('queue', job.queue),
    field('type', job.type),
    field('status', `${shownStatus(job, now)} (since ${age(job.enteredAt, now)})`),
    field('priority', String(job.priority)),
    field('group', job.group ?? '-'),
    field('attempts', `${job.attempts}/${job.maxAttempts}`),
    field('delay', job.delay ? `${job.delay} ms` : '-'),
    field('timeout', job.timeout ? `${job.timeout} ms` : '-'),
    field('created', when(job.createdAt, now)),
    field('entered', when(job.enteredAt, now)),
    field('run at', when(job.runAt, now)),
    field('processed', when(job.processedAt, now)),
    field('failed at', when(job.failedAt, now)),
    field('progress', job.progress === undefined ? '-' : fraction === undefined ? inlineJson(job.progress) : progressBar(fraction, 30)),
  ];
  if (job.handlerStop) lines.push({ text: `${'handler'.padEnd(11)}${handlerStopText(job)}`, color: job.handlerStop.state === 'killed' ? 'red' : 'yellow' });
  if (job.error) lines.push(...block('error', sanitize(job.error), 'red'));
  if (job.history?.length) {
    lines.push({ text: 'failed attempts', bold: true });
    for (const { attempt, outcome, error, at } of job.history) {
      lines.push({ text: `  #${attempt} ${when(at, now)} -> ${outcome}: ${oneLine(sanitize(error))}`, color: 'yellow' });
    }
  }
  lines.push(...block('payload', prettyJson(job.payload, redact)));
  if (job.result !== undefined) lines.push(...block('result', prettyJson(job.result, redact)));
  const own = logs.filter((line) => line.jobId === job.id);
  lines.push({ text: `log lines (${own.length}; attempts and outcomes as this host logged them)`, bold: true });
  for (const line of own) lines.push({ text: `  ${formatLogLine(line)}`, ...(line.level === 'error' || line.level === 'warn' ? { color: 'yellow' } : {}) });
  return lines;
}

/** The job detail view. */
export function JobDetail({ columns, rows }: { columns: number; rows: number }) {
  const focused = useFocused('detail');
  useKeys('detail', focused);
  const { redact } = useConsole();
  const detail = useConsoleState((s) => s.detail);
  const logs = useConsoleState((s) => s.logs);
  const now = useNow();
  const color = useColor();
  if (!detail) return null;
  const title = `Job ${detail.id}${detail.job ? ` · ${detail.job.queue} · ${shownStatus(detail.job, now)}` : ''}`;
  if (!detail.job) {
    return (
      <Box flexDirection="column" width={columns}>
        <Text bold>{oneLine(title)}</Text>
        <Text dimColor>{detail.missing ? 'no such job (it may have been removed by retention)' : 'loading…'}</Text>
      </Box>
    );
  }
  const lines = detailLines(detail.job, logs, redact, now);
  const height = Math.max(1, rows - 1);
  const scroll = Math.min(detail.scroll, Math.max(0, lines.length - height));
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold color={color('cyan')} wrap="truncate-end">
        {oneLine(title)}
        {lines.length > height ? `  (${scroll + 1}-${Math.min(lines.length, scroll + height)}/${lines.length}, ↑↓ scroll)` : ''}
      </Text>
      {lines.slice(scroll, scroll + height).map((line, i) => (
        <Text key={i} bold={line.bold ?? false} color={line.color ? color(line.color) : undefined} wrap="truncate-end">
          {line.text || ' '}
        </Text>
      ))}
    </Box>
  );
}
