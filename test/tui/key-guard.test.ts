/** What the console's stdin guard (src/tui/key-guard.ts) drops before Ink reads keys, and what it keeps. */
import { describe, expect, it } from 'vitest';
import { guardKeys, withoutUnreadableKeys } from '../../src/tui/key-guard.js';

describe('withoutUnreadableKeys', () => {
  it('drops keys Ink would read as an unnamed Ctrl key, and colour codes', () => {
    expect(withoutUnreadableKeys('\u001B[1;5P')).toBe(''); // Ctrl+F1
    expect(withoutUnreadableKeys('\u001B[99;5~')).toBe('');
    expect(withoutUnreadableKeys('fail\u001B[31mred\u001B[0m \u001B[m!')).toBe('failred !');
  });

  it('keeps text and every key the console binds, with or without modifiers', () => {
    const bound = ['\u001B[A', '\u001B[1;5B', '\u001BOC', '\u001B[5~', '\u001B[6;5~', '\u001B[H', '\u001B[4~', '\u001B[Z', '\u001B', 'q', '\r', 'héllo'];
    for (const key of bound) expect(withoutUnreadableKeys(key)).toBe(key);
    expect(withoutUnreadableKeys('\u001B[15~')).toBe('\u001B[15~'); // F5 without Ctrl: Ink reads it safely
  });
});

describe('guardKeys', () => {
  it('filters what read() hands out, and passes null on', () => {
    const chunks: (string | null)[] = ['a\u001B[1;5Pb', null];
    const stdin = { read: () => chunks.shift() ?? null };
    guardKeys(stdin as unknown as NodeJS.ReadStream);
    expect(stdin.read()).toBe('ab');
    expect(stdin.read()).toBeNull();
  });
});
