/**
 * Job-supplied text (types, payloads, errors, log lines) is drawn only after this: a job must not be
 * able to move the cursor, change colours, set the title or write the clipboard (OSC 52), nor make
 * text read other than it is (bidi overrides, zero-width characters). Shared by the console and the
 * CLI, which must show job text the same way.
 */

// ESC-introduced sequences: CSI (ESC [ … final), OSC/DCS/SOS/PM/APC strings (ended by BEL or ST,
// or unterminated to the end), and two-byte escapes (ESC + one char). The 8-bit forms follow.
const ESCAPES = new RegExp(
  [
    '\\u001b\\[[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?', // CSI
    '\\u001b[\\]PX^_][\\s\\S]*?(?:\\u0007|\\u001b\\\\|\\u009c|$)', // OSC, DCS, SOS, PM, APC
    '\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]?', // other ESC sequences (and a lone ESC)
    '\\u009b[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?', // 8-bit CSI
    '[\\u009d\\u0090\\u0098\\u009e\\u009f][\\s\\S]*?(?:\\u0007|\\u009c|$)', // 8-bit OSC, DCS, SOS, PM, APC
  ].join('|'),
  'g',
);

// Every other C0 control except tab and newline, DEL, and the C1 range.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * Characters that draw nothing yet change what the reader sees: bidi embeddings, overrides and
 * isolates (`\u202e` shows `exe.txt` as `txt.exe`), zero-width spaces and joiners, word joiners and
 * invisible operators, the byte-order mark, and the Unicode line and paragraph separators (which
 * some terminals and JSON readers take for newlines).
 */
const INVISIBLE = /[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

/** Removes terminal control sequences, control characters and invisible characters, keeping newlines and tabs. */
export function sanitize(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '').replace(INVISIBLE, '');
}

// What JSON.stringify leaves raw although a terminal would act on it or hide it: DEL, C1 (with the
// 8-bit CSI \u009b) and the invisible characters. C0 (ESC included) it already escapes.
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;
const HAS_RAW_IN_JSON = new RegExp(RAW_IN_JSON.source);

/**
 * `JSON.stringify` whose text holds no raw control or invisible character: each is written as a
 * `\uXXXX` escape, so the JSON parses to the very same value, yet printing it to a terminal is safe.
 * Outside strings JSON is plain ASCII, so escaping everywhere only ever touches string contents.
 */
export function terminalSafeJson(value: unknown, indent?: number): string | undefined {
  const text = JSON.stringify(value, null, indent);
  if (text === undefined || !HAS_RAW_IN_JSON.test(text)) return text; // the usual case, and the cheap test
  return text.replace(RAW_IN_JSON, unicodeEscape);
}

/** `char` as a `\uXXXX` escape, which prints as text and reads back as the character. */
function unicodeEscape(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

// Every control character but tab and newline (CONTROLS), and the invisible ones (INVISIBLE).
const UNSEEN = new RegExp(`${CONTROLS.source}|${INVISIBLE.source}`, 'g');

/**
 * Writes control and invisible characters as `\uXXXX`, keeping newlines and tabs: for messages
 * that quote what the user typed, where removing them would show another, perhaps valid, value
 * (`j1\u200b` as the id `j1`). An escaped ESC starts no sequence, so the rest prints as text.
 */
export function escapeUnseen(text: string): string {
  return text.replace(UNSEEN, unicodeEscape);
}

/** `sanitize`, then newlines and tabs become spaces: for a table cell or a one-line message. */
export function oneLine(text: string): string {
  return sanitize(text).replace(/[\r\n\t]+/g, ' ');
}
