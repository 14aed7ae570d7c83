/** What a chunk of typed or pasted text does to the line being typed (a search, the log filter). */
import type { ConsoleStoreState } from './store.js';

/** The line after a chunk, and whether the chunk ends it (Enter). */
export interface TypedChunk {
  text: string;
  submit: boolean;
}

// The start and end markers of a bracketed paste, as Ink hands them over (their ESC already cut).
const PASTE_MARKER = /^\[20[01]~$/;
// Backspace as terminals send it: DEL (0x7f, most) or BS (0x08, Ctrl-H and some terminals).
const ERASE = new Set(['\u007f', '\b']);
// Other control characters (C0, C1) never go into the line; a pasted tab is one of them.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Applies a chunk to `line`, character by character. A terminal hands keys typed faster than the
 * console reads as one chunk (`xyz\x7f\x7f`, or a paste): read as one key it would be no key at all
 * and be dropped, so each Backspace in it erases one character, in order, and other text is typed.
 * The first line break counts as Enter; anything after it is dropped.
 */
export function typedChunk(line: string, raw: string): TypedChunk {
  if (PASTE_MARKER.test(raw)) return { text: line, submit: false };
  const lineBreak = raw.search(/[\r\n]/);
  const typed = lineBreak === -1 ? raw : raw.slice(0, lineBreak);
  // By code point, so a Backspace erases a whole emoji rather than half of its surrogate pair.
  const characters = [...line];
  for (const character of typed) {
    if (ERASE.has(character)) characters.pop();
    else if (!CONTROL.test(character)) characters.push(character);
  }
  return { text: characters.join(''), submit: lineBreak !== -1 };
}

/** Types a chunk into the line being typed (if one is open): its text and Backspaces, then Enter if it has a line break. */
export function typeIntoInput(state: Pick<ConsoleStoreState, 'input' | 'editInput' | 'submitInput'>, raw: string): void {
  if (!state.input) return;
  const { text, submit } = typedChunk(state.input.text, raw);
  if (text !== state.input.text) state.editInput(text);
  if (submit) state.submitInput();
}
