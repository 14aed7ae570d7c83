import { describe, expect, it } from 'vitest';
import { typedChunk } from '../../src/tui/typing.js';

describe('typed and pasted chunks', () => {
  it('types a paste up to its line break, and the line break applies it', () => {
    expect(typedChunk('', 'abc')).toEqual({ text: 'abc', submit: false });
    expect(typedChunk('', 'hdz6xq0w2p3c9f1a\r')).toEqual({ text: 'hdz6xq0w2p3c9f1a', submit: true });
    expect(typedChunk('x', 'abc\n')).toEqual({ text: 'xabc', submit: true });
    expect(typedChunk('', '\n')).toEqual({ text: '', submit: true });
    expect(typedChunk('', 'one\r\ntwo')).toEqual({ text: 'one', submit: true });
  });

  it('drops control characters and bracketed-paste markers', () => {
    expect(typedChunk('', 'a\tb\u0007c\u009b')).toEqual({ text: 'abc', submit: false });
    expect(typedChunk('kept', '[200~')).toEqual({ text: 'kept', submit: false });
    expect(typedChunk('kept', '[201~')).toEqual({ text: 'kept', submit: false });
  });

  it('each Backspace in a chunk (DEL or BS) erases one character, in order with the text around it', () => {
    expect(typedChunk('xyz', '\u007f\u007f')).toEqual({ text: 'x', submit: false });
    expect(typedChunk('abcdef', '\u007f\u007f\u007f')).toEqual({ text: 'abc', submit: false });
    expect(typedChunk('abcdef', '\b\b')).toEqual({ text: 'abcd', submit: false });
    expect(typedChunk('', 'ab\u007fc')).toEqual({ text: 'ac', submit: false });
    expect(typedChunk('a', '\u007f\u007f\u007fb')).toEqual({ text: 'b', submit: false });
    expect(typedChunk('run 🚀', '\u007f')).toEqual({ text: 'run ', submit: false });
    expect(typedChunk('abc', '\u007f\r')).toEqual({ text: 'ab', submit: true });
  });
});
