/**
 * Job-supplied text (types, payloads, errors, log lines) is drawn only after this: a job must not be
 * able to move the cursor, change colours, set the title or write the clipboard (OSC 52).
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

/** Removes terminal control sequences and control characters, keeping newlines and tabs. */
export function sanitize(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '');
}

/** `sanitize`, then newlines and tabs become spaces: for a table cell or a one-line message. */
export function oneLine(text: string): string {
  return sanitize(text).replace(/[\r\n\t]+/g, ' ');
}
