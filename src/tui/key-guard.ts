/**
 * Ink 6.8's `useInput` throws on a key it reads as Ctrl+<something> it has no name for, and the
 * throw ends the process, its workers with it: Ctrl+F1 (`ESC [1;5P`), or colour codes in pasted
 * text (`ESC [31m` parses as a key whose modifier has the Ctrl bit). The guard drops such
 * sequences, and colour codes whatever their modifier, from what stdin hands Ink. The console binds
 * none of them. Ink 6.8 is the last release for Node 20.
 */

/** A function-key sequence as Ink's keypress parser reads it: lead, number~ or letter, modifier. */
const FUNCTION_KEY = /\u001B+(O|N|\[|\[\[)(?:(\d+)(?:;(\d+))?([~^$])|(?:1;)?(\d+)?([a-zA-Z]))/g;

/** The codes of the keys the console binds (arrows, Home/End, PgUp/PgDn, Insert/Delete, Shift-Tab), which Ink names. */
const BOUND_CODES = new Set([
  '[A', '[B', '[C', '[D', '[E', '[F', '[H', 'OA', 'OB', 'OC', 'OD', 'OE', 'OF', 'OH',
  '[1~', '[2~', '[3~', '[4~', '[5~', '[6~', '[7~', '[8~', '[Z',
]);

/** `chunk` without the sequences Ink would read as an unnamed Ctrl key, nor colour codes. */
export function withoutUnreadableKeys(chunk: string): string {
  return chunk.replace(FUNCTION_KEY, (sequence, lead: string, number?: string, tildeModifier?: string, tildeEnd?: string, letterModifier?: string, letter?: string) => {
    if (letter === 'm') return '';
    const code = lead + (number ?? '') + (tildeEnd ?? '') + (letter ?? '');
    // As Ink reads the modifier: the parameter minus one, bit 4 for Ctrl ('0' gives -1: every bit).
    const modifier = Number(tildeModifier || letterModifier || 1) - 1;
    return (modifier & 4) !== 0 && !BOUND_CODES.has(code) ? '' : sequence;
  });
}

/** Makes `stdin.read()`, which Ink reads keys from, hand out chunks without unreadable keys. */
export function guardKeys(stdin: Pick<NodeJS.ReadStream, 'read'>): void {
  const read = stdin.read.bind(stdin);
  stdin.read = (size?: number) => {
    const chunk: unknown = read(size);
    return typeof chunk === 'string' ? withoutUnreadableKeys(chunk) : chunk;
  };
}
