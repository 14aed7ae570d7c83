import { describe, expect, it } from 'vitest';
import { typedChunk } from '../../src/tui/typing.js';

describe('typed and pasted chunks', () => {
  it('types a paste up to its line break, and the line break applies it', () => {
    expect(typedChunk('abc')).toEqual({ text: 'abc', submit: false });
    expect(typedChunk('hdz6xq0w2p3c9f1a\r')).toEqual({ text: 'hdz6xq0w2p3c9f1a', submit: true });
    expect(typedChunk('abc\n')).toEqual({ text: 'abc', submit: true });
    expect(typedChunk('\n')).toEqual({ text: '', submit: true });
    expect(typedChunk('one\r\ntwo')).toEqual({ text: 'one', submit: true });
  });

  it('drops control characters and bracketed-paste markers', () => {
    expect(typedChunk('a\tb\u0007c\u009b')).toEqual({ text: 'abc', submit: false });
    expect(typedChunk('[200~')).toEqual({ text: '', submit: false });
    expect(typedChunk('[201~')).toEqual({ text: '', submit: false });
  });
});
