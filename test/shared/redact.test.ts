import { describe, expect, it } from 'vitest';
import { REDACTED, redactPayload } from '../../src/shared/redact.js';

describe('redactPayload', () => {
  const payload = {
    to: 'a@example.com',
    password: 'hunter2',
    headers: { Authorization: 'Bearer x', accept: 'json' },
    cards: [{ number: '4111', name: 'A' }, { number: '5500', name: 'B' }],
  };

  it('masks top-level and nested paths, header names case-insensitively', () => {
    expect(redactPayload(payload, ['password', 'headers.authorization'])).toEqual({
      ...payload,
      password: REDACTED,
      headers: { Authorization: REDACTED, accept: 'json' },
    });
  });

  it('* matches any key or array index', () => {
    expect(redactPayload(payload, ['cards.*.number']).cards).toEqual([
      { number: REDACTED, name: 'A' },
      { number: REDACTED, name: 'B' },
    ]);
  });

  it('leaves the input alone and ignores paths that are not there', () => {
    const result = redactPayload(payload, ['password', 'missing.deep', 'to.sub']);
    expect(payload.password).toBe('hunter2');
    expect(result.to).toBe('a@example.com');
    expect(redactPayload(payload, ['nothing'])).toBe(payload);
  });
});
