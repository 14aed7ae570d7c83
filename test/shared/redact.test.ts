import { describe, expect, it } from 'vitest';
import { DEFAULT_REDACT_KEYS, REDACTED, redactPayload, redactValue } from '../../src/shared/redact.js';

describe('redactPayload: configured paths', () => {
  const payload = {
    to: 'a@example.com',
    headers: { Authorization: 'Bearer x', accept: 'json' },
    cards: [{ number: '4111', name: 'A' }, { number: '5500', name: 'B' }],
  };

  it('masks dotted paths from the root, header names case-insensitively', () => {
    expect(redactPayload(payload, ['to', 'headers.accept'])).toEqual({
      ...payload,
      to: REDACTED,
      headers: { Authorization: REDACTED, accept: REDACTED },
    });
  });

  it('* matches any key or array index', () => {
    expect(redactPayload(payload, ['cards.*.number']).cards).toEqual([
      { number: REDACTED, name: 'A' },
      { number: REDACTED, name: 'B' },
    ]);
  });

  it('leaves the input alone, ignores paths that are not there, and returns a clean payload as is', () => {
    const result = redactPayload(payload, ['missing.deep', 'to.sub']);
    expect(payload.headers.Authorization).toBe('Bearer x');
    expect(result.to).toBe('a@example.com');
    const clean = { to: 'a@example.com', items: [{ sku: 1 }] };
    expect(redactPayload(clean, ['nothing'])).toBe(clean);
    expect(redactPayload(clean)).toBe(clean);
  });
});

describe('redaction by key name, at any depth', () => {
  it.each(DEFAULT_REDACT_KEYS)('masks the default key %s wherever it is, in any case, without configuration', (key) => {
    const payload = {
      [key]: 'v-top',
      nested: { deeper: { [key.toUpperCase()]: 'v-deep' } },
      list: [{ [key]: 'v-in-array' }, [{ [key]: 'v-in-nested-array' }], 'plain'],
    };
    const masked = redactPayload(payload, []);
    expect(masked).toEqual({
      [key]: REDACTED,
      nested: { deeper: { [key.toUpperCase()]: REDACTED } },
      list: [{ [key]: REDACTED }, [{ [key]: REDACTED }], 'plain'],
    });
    expect(JSON.stringify(masked)).not.toContain('v-');
  });

  it('masks decorated names that end in a secret word, and leaves look-alikes', () => {
    const payload = {
      accessToken: 1, refresh_token: 2, 'X-Auth-Token': 3, myApiKey: 4, DB_PASSWORD: 5, clientSecret: 6, 'Set-Cookie': 7,
      tokenCount: 8, secretary: 9, keyboard: 10, passwordHint: 11,
    };
    expect(redactPayload(payload)).toEqual({
      accessToken: REDACTED, refresh_token: REDACTED, 'X-Auth-Token': REDACTED, myApiKey: REDACTED, DB_PASSWORD: REDACTED,
      clientSecret: REDACTED, 'Set-Cookie': REDACTED, tokenCount: 8, secretary: 9, keyboard: 10, passwordHint: 11,
    });
  });

  it('treats a configured single name as a key name at any depth', () => {
    const payload = { card: { cvv: '123' }, orders: [{ cvv: '456', id: 1 }] };
    expect(redactPayload(payload, ['CVV'])).toEqual({ card: { cvv: REDACTED }, orders: [{ cvv: REDACTED, id: 1 }] });
  });

  it('masks a whole subtree under a secret key, objects and arrays alike', () => {
    expect(redactPayload({ secret: { a: 1, b: [2] }, tokens: ['x'], token: ['y'] })).toEqual({ secret: REDACTED, tokens: ['x'], token: REDACTED });
  });

  it('redacts any value: arrays at the root, scalars, results, and a circular object without hanging', () => {
    expect(redactValue([{ password: 'p' }, 3])).toEqual([{ password: REDACTED }, 3]);
    expect(redactValue('text')).toBe('text');
    expect(redactValue(null)).toBe(null);
    const loop: Record<string, unknown> = { name: 'loop', token: 't' };
    loop['self'] = loop;
    expect(redactValue(loop)).toEqual({ name: 'loop', token: REDACTED, self: REDACTED });
    const shared = { apiKey: 'k' };
    expect(redactValue({ a: shared, b: shared })).toEqual({ a: { apiKey: REDACTED }, b: { apiKey: REDACTED } });
  });
});
