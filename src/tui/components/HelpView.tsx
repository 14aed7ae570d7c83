/** Every key binding, straight from the key map (read-only mode lists only what is left). */
import { Box, Text } from 'ink';
import { useColor, useConsoleState, useFocused, useKeys } from '../context.js';
import { allBindings, asksFirst, type KeyScope } from '../keymap.js';
import { fit } from '../format.js';

const SCOPE_TITLES: Record<KeyScope, string> = {
  queues: 'Queues pane', jobs: 'Jobs pane', detail: 'Job detail', workers: 'Workers', logs: 'Logs', help: 'Help',
  queue: 'Queue detail', prompt: 'y/n prompt', input: 'Typing a search, filter or page', quitting: 'While quitting',
  schedules: 'Schedules',
};

/** The help lines: a title per scope, then `key  description` for each binding first seen there. */
export function helpLines(readOnly: boolean): { text: string; title: boolean }[] {
  const lines: { text: string; title: boolean }[] = [];
  const bindings = allBindings(readOnly);
  const everywhere = bindings.filter((b) => b.scopes.length >= 6);
  lines.push({ text: 'Everywhere', title: true });
  for (const b of everywhere) lines.push({ text: `  ${fit(b.label, 8)} ${b.description}`, title: false });
  for (const scope of Object.keys(SCOPE_TITLES) as KeyScope[]) {
    const own = bindings.filter((b) => b.scopes.includes(scope) && !everywhere.includes(b));
    if (own.length === 0) continue;
    lines.push({ text: SCOPE_TITLES[scope], title: true });
    for (const b of own) lines.push({ text: `  ${fit(b.label, 8)} ${b.description}${asksFirst(b) && !b.description.includes('y/n') ? ' [asks y/n]' : ''}`, title: false });
  }
  return lines;
}

/** The help view. */
export function HelpView({ columns, rows }: { columns: number; rows: number }) {
  const focused = useFocused('help');
  useKeys('help', focused);
  const { readOnly, scroll } = useConsoleState((s) => ({ readOnly: s.readOnly, scroll: s.helpScroll }));
  const color = useColor();
  const lines = helpLines(readOnly);
  const height = Math.max(1, rows - 1);
  const first = Math.min(scroll, Math.max(0, lines.length - height));
  return (
    <Box flexDirection="column" width={columns}>
      <Text bold color={color('cyan')}>
        {`Keys${readOnly ? ' (read-only: actions that change anything are off)' : ''}${lines.length > height ? `  ${first + 1}-${Math.min(lines.length, first + height)}/${lines.length} ↑↓` : ''}`}
      </Text>
      {lines.slice(first, first + height).map((line, i) => (
        <Text key={i} bold={line.title} wrap="truncate-end">{line.text}</Text>
      ))}
    </Box>
  );
}
