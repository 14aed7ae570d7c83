import { describe, expect, it } from 'vitest';
import { createHostLogger } from '../../src/host/logger.js';
import { redactLogLine, redactingStream } from '../../src/host/log-redaction.js';

describe('host log lines are masked at every level', () => {
  it('fields, messages, child bindings and errors, from trace to fatal', () => {
    const { logger, ring } = createHostLogger({ level: 'trace' }, 'console', ['cvv']);
    const child = logger.child({ jobId: 'j1', apiKey: 'leak-binding' });
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const) {
      child[level]({ payload: { password: 'leak-field', card: { cvv: 'leak-cvv' } }, url: 'https://h.example/x?token=leak-url' }, `sent Bearer leak-msg-${level}`);
    }
    child.error({ err: new Error('401 Authorization: Bearer leak-stack') }, 'failed');
    const lines = ring!.lines();
    expect(lines).toHaveLength(7);
    expect(JSON.stringify(lines)).not.toContain('leak');
    expect(lines[0]!.raw['jobId']).toBe('j1');
  });

  it('a line that is not JSON is masked as text', () => {
    expect(redactLogLine('plain password=x', [])).toBe('plain password=[redacted]\n');
  });

  it('a line keeps one trailing newline; a chunk of several lines is masked line by line', () => {
    expect(redactLogLine('plain text\n', [])).toBe('plain text\n');
    const written: string[] = [];
    const stream = redactingStream({ write: (text: string) => void written.push(text) } as never, ['card']);
    stream.write('{"card":"x"}\n\n{"msg":"token=abc"}\n');
    expect(written).toEqual(['{"card":"[redacted]"}\n{"msg":"token=[redacted]"}\n']);
  });
});
