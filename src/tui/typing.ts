/** What a chunk of typed or pasted text does to the line being typed (a search, the log filter). */
import type { ConsoleStoreState } from './store.js';

/** The text a chunk adds, and whether it ends the line (Enter). */
export interface TypedChunk {
  text: string;
  submit: boolean;
}

// The start and end markers of a bracketed paste, as Ink hands them over (their ESC already cut).
const PASTE_MARKER = /^\[20[01]~$/;
// Control characters (C0, DEL, C1) never go into the line; a pasted tab is one of them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * A terminal hands a paste over as one chunk: `abc123\r` when the paste (or `tmux send-keys`) ends
 * with a newline. Read key by key it would be no key at all and be dropped, so the text up to the
 * first line break is typed, and the line break counts as Enter; anything after it is dropped.
 */
export function typedChunk(raw: string): TypedChunk {
  if (PASTE_MARKER.test(raw)) return { text: '', submit: false };
  const lineBreak = raw.search(/[\r\n]/);
  const line = lineBreak === -1 ? raw : raw.slice(0, lineBreak);
  return { text: line.replace(CONTROL, ''), submit: lineBreak !== -1 };
}

/** Types a chunk into the line being typed (if one is open): its text, then Enter if it has a line break. */
export function typeIntoInput(state: Pick<ConsoleStoreState, 'input' | 'editInput' | 'submitInput'>, raw: string): void {
  if (!state.input) return;
  const { text, submit } = typedChunk(raw);
  if (text !== '') state.editInput(state.input.text + text);
  if (submit) state.submitInput();
}
