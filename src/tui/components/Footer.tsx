/** The bottom lines: the prompt, a typed line, a toast or the quit notice; then key hints from the key map. */
import { Text } from 'ink';
import { useCallback, useEffect } from 'react';
import type { Key } from 'ink';
import { useColor, useConsole, useConsoleState, useFocused, useKeys } from '../context.js';
import type { Job } from '../../engine/types.js';
import { appliesTo, bindingsFor, hintOf, type KeyScope } from '../keymap.js';
import { TOAST_MS, targetJob, type ConsoleState } from '../store.js';
import { oneLine } from '../../shared/sanitize.js';
import { typeIntoInput } from '../typing.js';
import { progressBar } from '../format.js';

const GLOBAL_HINTS = new Set(['?', 'q']);

/**
 * Key hints of the focused scope, by rank (a pane's actions before moving around) so a narrow footer
 * drops the least useful first; help and quit always fit at the end. Keys that cannot act on `job`
 * (the selected or open one) or in `state` (a bulk key of a tab it does not take, page keys of one
 * page) are left out, so every key offered acts; a key whose word follows the state (pause, resume)
 * reads it from `state`.
 */
export function footerHints(scope: KeyScope, state: ConsoleState, columns: number, job: Job | null): string {
  const bindings = bindingsFor(scope, state.readOnly).filter((b) => b.hint && appliesTo(b, job, state));
  const hinted = (b: (typeof bindings)[number]) => `${b.label} ${hintOf(b, state)}`;
  const tail = bindings.filter((b) => GLOBAL_HINTS.has(b.label)).map(hinted).join('  ');
  const ranked = bindings.filter((b) => !GLOBAL_HINTS.has(b.label)).sort((a, b) => (a.rank ?? 5) - (b.rank ?? 5));
  let head = '';
  for (const b of ranked) {
    const next = `${head}${head ? '  ' : ''}${hinted(b)}`;
    if ([...next].length + tail.length + 2 > columns) continue; // a shorter hint further on may still fit
    head = next;
  }
  return head ? `${head}  ${tail}` : tail;
}

/** The y/n prompt line; it takes the keys while it is open. */
function PromptLine() {
  useKeys('prompt', useFocused('prompt'));
  const message = useConsoleState((s) => s.prompt?.message ?? '');
  const color = useColor();
  return <Text bold color={color('yellow')} wrap="truncate-end">{oneLine(message)}</Text>;
}

/** The line being typed; printable keys and pastes edit it, Enter (or a paste's line break) applies, Esc drops it. */
function InputLine() {
  const { store } = useConsole();
  const input = useConsoleState((s) => s.input);
  const edit = useCallback((name: string, raw: string, key: Key) => {
    const state = store.getState();
    if (!state.input) return;
    // A lone Backspace comes named, without its byte: typed as DEL, it erases as one in a chunk does.
    if (name === 'backspace') return typeIntoInput(state, '\u007f');
    if (key.ctrl || key.meta) return;
    typeIntoInput(state, raw);
  }, [store]);
  useKeys('input', useFocused('input'), edit);
  if (!input) return null;
  const label = { search: 'search (id, type, payload, error; age>1h, age<5m): ', logJob: 'log filter, job id: ', page: 'go to page: ' }[input.kind];
  return <Text wrap="truncate-end">{label}{oneLine(input.text)}<Text inverse> </Text></Text>;
}

/** The notice while a quit waits for running jobs; a second Ctrl-C quits at once. */
function QuittingLine({ inFlight }: { inFlight: number }) {
  useKeys('quitting', useFocused('quitting'));
  const color = useColor();
  const waiting = inFlight === 0 ? 'closing connections' : `waiting for ${inFlight} job${inFlight === 1 ? '' : 's'} in flight to finish`;
  return (
    <Text bold color={color('yellow')} wrap="truncate-end">
      {`Quitting: ${waiting}… (Ctrl-C: quit now)`}
    </Text>
  );
}

// How often shown messages are checked for their time being up: they go within this of TOAST_MS.
const TOAST_CHECK_MS = 200;

/**
 * Takes each message off the status line once it has shown for `TOAST_MS`. On a timer of its own:
 * the data source's rounds wait for Redis, and a message must not outstay its time while Redis is away.
 */
function useToastExpiry(): void {
  const { store } = useConsole();
  const shown = useConsoleState((s) => s.toasts.length > 0);
  useEffect(() => {
    if (!shown) return;
    const timer = setInterval(() => store.getState().pruneToasts(TOAST_MS), TOAST_CHECK_MS);
    return () => clearInterval(timer);
  }, [store, shown]);
}

/** The status line and the hints line. */
export function Footer({ columns }: { columns: number }) {
  useToastExpiry();
  const { prompt, input, quitting, toast, search, view, readOnly, bulk, hints } = useConsoleState((s) => ({
    prompt: s.prompt !== null, input: s.input !== null, quitting: s.quitting, toast: s.toasts[s.toasts.length - 1],
    search: s.search, view: s.view, readOnly: s.readOnly, bulk: s.bulk,
    hints: footerHints(s.view, s, columns - (s.readOnly ? 12 : 0), targetJob(s)),
  }));
  const color = useColor();
  let status;
  if (quitting) {
    status = <QuittingLine inFlight={quitting.inFlight} />;
  } else if (prompt) {
    status = <PromptLine />;
  } else if (input) {
    status = <InputLine />;
  } else if (bulk) {
    // A bulk action over a whole tab may take a while: its progress stays in view until it ends.
    const fraction = bulk.total > 0 ? Math.min(1, bulk.done / bulk.total) : 0;
    status = <Text color={color('yellow')} wrap="truncate-end">{`${oneLine(bulk.label)}: ${bulk.done}/${bulk.total} ${progressBar(fraction, 24)}`}</Text>;
  } else if (toast) {
    status = <Text color={color(toast.level === 'error' ? 'red' : 'green')} wrap="truncate-end">{oneLine(toast.text)}</Text>;
  } else if (search && (view === 'jobs' || view === 'queues')) {
    status = <Text dimColor wrap="truncate-end">{search.results === null ? `searching "${oneLine(search.query)}"…` : `${search.results.length} match(es) for "${oneLine(search.query)}" in ${search.scanned} jobs (Esc clears)`}</Text>;
  } else {
    status = <Text> </Text>;
  }
  return (
    <>
      {status}
      <Text dimColor wrap="truncate-end">{`${readOnly ? '[read-only] ' : ''}${hints}`}</Text>
    </>
  );
}
