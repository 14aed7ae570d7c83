import { describe, expect, it } from 'vitest';
import { oneLine, sanitize } from '../../src/shared/sanitize.js';
import { fit, prettyJson } from '../../src/tui/format.js';

describe('sanitize', () => {
  it.each([
    ['CSI cursor move and colour', 'a\u001b[2J\u001b[10;5Hb\u001b[31mc\u001b[0m', 'abc'],
    ['OSC 52 clipboard write ended by BEL', 'x\u001b]52;c;ZXZpbA==\u0007y', 'xy'],
    ['OSC title ended by ST', 'x\u001b]0;pwned\u001b\\y', 'xy'],
    ['unterminated OSC', 'x\u001b]52;c;ZXZpbA==', 'x'],
    ['DCS string', 'x\u001bPq#0;2;0;0;0\u001b\\y', 'xy'],
    ['two-byte escapes', 'x\u001bcy\u001b7z', 'xyz'],
    ['8-bit CSI and OSC', 'x\u009b2Jy\u009d52;c;AA==\u0007z', 'xyz'],
    ['other C0 and DEL', 'a\u0000b\u0007c\u0008d\re\u007f', 'abcde'],
  ])('strips %s', (_name, input, expected) => {
    expect(sanitize(input)).toBe(expected);
  });

  it('keeps newlines, tabs and ordinary unicode', () => {
    expect(sanitize('line 1\n\tline 2 ✓ é 日本')).toBe('line 1\n\tline 2 ✓ é 日本');
  });

  it('oneLine flattens newlines and tabs for a cell', () => {
    expect(oneLine('a\nb\tc\u001b[1A')).toBe('a b c');
  });

  it('fit and prettyJson sanitize what they draw', () => {
    expect(fit('evil\u001b[2Jtype', 8)).toBe('eviltype');
    expect(prettyJson({ note: 'x\u001b]52;c;AA==\u0007' })).not.toContain('\u001b');
  });

  it('prettyJson masks redacted paths', () => {
    const text = prettyJson({ auth: { token: 't' }, headers: { Authorization: 'a', other: 'o' } }, ['auth.token', 'headers.authorization']);
    expect(text).toContain('"token": "[redacted]"');
    expect(text).toContain('"Authorization": "[redacted]"');
    expect(text).toContain('"other": "o"');
  });
});
