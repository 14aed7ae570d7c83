import { describe, expect, it } from 'vitest';
import type { Job } from '../../src/index.js';
import { Redis } from 'ioredis';
import { presentError, presentJob, presentText, presentValue } from '../../src/shared/present.js';
import { freePort } from '../helpers.js';
import { terminalSafeJson } from '../../src/shared/sanitize.js';
import { describeUrlText, maskSecretsInText } from '../../src/shared/secret-text.js';
import { prettyJson } from '../../src/tui/format.js';
import { errorOf, parse } from '../host/config-helpers.js';
import { SAMPLE_CONFIG } from '../../src/config/sample-config.js';

describe('maskSecretsInText', () => {
  it.each([
    ['a 401 body echoing a header', 'HTTP 401: Authorization: Bearer s3cr3t-tok', 'HTTP 401: Authorization: [redacted]'],
    ['a bearer token alone', 'rejected Bearer abc.def-123 today', 'rejected Bearer [redacted] today'],
    ['basic credentials', 'sent Basic dXNlcjpwYXNz', 'sent Basic [redacted]'],
    ['JSON pairs', '{"password":"p\\"w","apiKey":"k","ok":"v"}', '{"password":"[redacted]","apiKey":"[redacted]","ok":"v"}'],
    ['key=value pairs', 'password=hunter2 api_key=abc&token=zzz DB_PASSWORD="a b"', 'password=[redacted] api_key=[redacted]&token=[redacted] DB_PASSWORD=[redacted]'],
    ['cookie and api-key header lines', 'Cookie: a=b; c=d\nX-Api-Key: k\nok', 'Cookie: [redacted]\nX-Api-Key: [redacted]\nok'],
    ['URL credentials and query values', 'GET https://u:p@h.example/x?token=t&id=1).', 'GET https://[redacted]@h.example/x?token=[redacted]&id=[redacted]).'],
    ['a Redis URL password', 'cannot parse redis://:pw@127.0.0.1:6379/0', 'cannot parse redis://[redacted]@127.0.0.1:6379/0'],
    ['a user alone', 'from https://alice@h.example/x', 'from https://[redacted]@h.example/x'],
    ['a database DSN in JSON', '{"dsn":"postgres://admin:hunter2@db.internal:5432/app"}', '{"dsn":"postgres://[redacted]@db.internal:5432/app"}'],
    ['percent-encoded credentials', 'mysql://a%40b:p%3Aw%2Fx@h/x', 'mysql://[redacted]@h/x'],
    ['a token in a URL path', 'POST https://hooks.example/services/T0/B0/aB3dE5gH7jK9mN1pQ3sT5vW7', 'POST https://hooks.example/services/T0/B0/[redacted]'],
    ['URLs in brackets', '(see https://h.example/x?sig=s) [https://h.example/y?k=v]', '(see https://h.example/x?sig=[redacted]) [https://h.example/y?k=[redacted]]'],
    ['cloud keys', 'AWS_SECRET_ACCESS_KEY=wJalrXUt private_key="-----BEGIN"', 'AWS_SECRET_ACCESS_KEY=[redacted] private_key=[redacted]'],
    ['a token file name in a path', 'GET https://h.example/hooks/aB3dE5gH7jK9mN1pQ3sT.json', 'GET https://h.example/hooks/[redacted]'],
  ])('masks %s', (_name, text, expected) => {
    expect(maskSecretsInText(text)).toBe(expected);
  });

  it.each([
    'https://example.com/x?token=abc', 'see https://example.com/?q=1 there', 'url "http://127.0.0.1:1/n?token=a&b=c".',
    '(see https://h.example/x?sig=s)', '[https://h.example/y?k=v]', 'GET https://u:p@h.example/x?token=t&id=1).',
    '"dsn":"postgres://admin:hunter2@db.internal:5432/app"', 'redis://:pw@127.0.0.1:6379/0', 'redis://us:p@ss w@host:notaport?x=1',
  ])('masks %j to the same text however often it runs (job data is masked when stored and again when shown)', (text) => {
    const once = maskSecretsInText(text);
    expect(maskSecretsInText(once)).toBe(once);
    expect(maskSecretsInText(maskSecretsInText(once))).toBe(once);
  });

  it.each([
    'password: expected a string', 'tokenCount=5', 'Basic settings are fine', 'see http://127.0.0.1:8080 now', 'no secrets here',
  ])('leaves %j alone', (text) => {
    expect(maskSecretsInText(text)).toBe(text);
  });

  it('masks a URL that does not parse, by its last @', () => {
    expect(describeUrlText('redis://us:p@ss w@host:notaport?x=1')).toBe('redis://[redacted]@host:notaport?x=[redacted]');
    // One slash short, the user info lands in the path: the slash stays as typed and the host shows.
    expect(describeUrlText('redis:/u:EnvSecretPw@127.0.0.1:6441')).toBe('redis:/[redacted]@127.0.0.1:6441');
  });
});

describe('presentValue and presentJob', () => {
  const payload = {
    data: { user: { password: 'p1' } }, items: [{ token: 't1' }], headers: { Authorization: 'a', 'X-Api-Key': 'k', Cookie: 'c' },
    apiKey: 'k2', api_key: 'k3', url: 'https://h.example/hook?token=t2', note: 'Bearer b1', cvv: '123', cards: [{ number: '4111' }],
  };

  it('masks secret keys at any depth, configured paths and secrets inside strings; the input stays as it was', () => {
    const before = JSON.stringify(payload);
    const shown = JSON.stringify(presentValue(payload, ['cvv', 'cards.*.number']));
    expect(shown).not.toMatch(/p1|t1|"a"|"k"|"c"|k2|k3|t2|b1|123|4111/);
    expect(JSON.stringify(payload)).toBe(before);
  });

  it('masks every shown field of a job: payload, result, progress, error and history', () => {
    const job = {
      id: 'j', queue: 'q', type: 'token=t0', payload, status: 'failed', attempts: 2, maxAttempts: 2, priority: 0, delay: 0,
      createdAt: new Date(0), enteredAt: new Date(0), error: 'Bearer e1', result: { secret: 'r1' }, progress: { note: 'password=g1' },
      history: [{ attempt: 1, outcome: 'retrying', error: 'Authorization: Bearer h1', at: new Date(0) }],
    } satisfies Job;
    const text = JSON.stringify(presentJob(job, ['cvv']));
    expect(text).not.toMatch(/t0|e1|r1|g1|h1|p1|b1/);
    expect(presentJob(job).createdAt).toBe(job.createdAt);
  });

  it('shows a DSN in a payload with its credentials replaced by [redacted]@, the rest of its shape kept', () => {
    const job = {
      id: 'j', queue: 'q', type: 'sync', payload: { dsn: 'postgres://admin:hunter2@db.internal:5432/app' }, status: 'pending', attempts: 0,
      maxAttempts: 3, priority: 0, delay: 0, createdAt: new Date(0), enteredAt: new Date(0),
    } satisfies Job;
    const shown = presentJob(job);
    expect(shown.payload['dsn']).toBe('postgres://[redacted]@db.internal:5432/app');
    expect(presentJob(shown).payload).toEqual(shown.payload);
    expect(JSON.stringify(shown)).not.toMatch(/admin|hunter2/);
  });

  it('prettyJson masks default names in any value, with or without configured paths', () => {
    expect(prettyJson([{ password: 'x' }])).not.toContain('"x"');
    expect(prettyJson({ token: 'x' }, [])).not.toContain('"x"');
    expect(prettyJson('Bearer xyz')).not.toContain('xyz');
  });

  it('presentText masks free text', () => {
    expect(presentText('token=abc')).toBe('token=[redacted]');
  });
});

describe('terminalSafeJson', () => {
  it('escapes C1, DEL, bidi and zero-width characters, and parses back to the same value', () => {
    const value = { t: 'a\u009b2J\u007f\u202e\u200b\u2028\u001b' };
    const text = terminalSafeJson(value)!;
    expect(text).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u200b\u202e\u2028]/);
    expect(text).toContain('\\u009b');
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('config: redaction defaults and webhook allowAddresses', () => {
  it('the sample and the defaults no longer list headers.authorization; configured paths still work', () => {
    expect(SAMPLE_CONFIG).not.toMatch(/^redact = .*headers\.authorization/m);
    expect(parse('').redact).toEqual([]);
    expect(parse('redact = ["headers.x-custom"]').redact).toEqual(['headers.x-custom']);
  });

  it('[webhook] allowAddresses is read, and a range that is not CIDR is an error with its line', () => {
    expect(parse('[webhook]\nallowAddresses = ["10.0.0.0/8", "fd00::/8"]').webhook.allowAddresses).toEqual(['10.0.0.0/8', 'fd00::/8']);
    expect(errorOf('[webhook]\nallowAddresses = ["10.0.0.0/33"]').message).toMatch(/flexq\.toml:2: webhook\.allowAddresses\.0: expected a CIDR range/);
  });

  it('a malformed FLEXQ_REDIS_URL is quoted without its password', () => {
    const message = errorOf('', { FLEXQ_REDIS_URL: 'redis://admin:hunter2@cache:notaport' }).message;
    expect(message).toContain('FLEXQ_REDIS_URL');
    expect(message).toContain('[redacted]@cache:notaport');
    expect(message).not.toContain('hunter2');
  });
});

describe('configured names in text', () => {
  it('a single-word redact entry is masked in pairs inside text, too', () => {
    expect(presentText('dump {"cvv":"123","a.b":"x"} cvv=456', ['cvv', 'a.b'])).toBe('dump {"cvv":"[redacted]","a.b":"x"} cvv=[redacted]');
    expect(presentText('cvv=456')).toBe('cvv=456');
    expect(presentText('xxy=1', ['x+y'])).toBe('xxy=1'); // a name is text, not a pattern
  });
});

describe('masking hostile text stays linear', () => {
  it.each([
    // Each of the first three took 35 to 60 s with unbounded key and scheme repetitions.
    ['dotted words before =', `${'a.'.repeat(32_768)}=x`],
    ['dotted words before :', `${'a.'.repeat(32_768)}:`],
    ['dotted words before :/', `${'a.'.repeat(32_768)}:/`],
    ['unclosed quoted pairs', '"token":"x '.repeat(6_000)],
    ['unclosed equals quotes', 'token="x '.repeat(7_000)],
    ['bearer runs', 'Bearer '.repeat(9_000)],
  ])('%s (64 KiB) in a few seconds at most, not a minute', (_name, text) => {
    const started = performance.now();
    maskSecretsInText(text, ['cvv']);
    expect(performance.now() - started).toBeLessThan(3_000); // generous: the machine is shared
  });
});

describe('stack traces', () => {
  it('keep the file names and positions they point to, bundled chunks included', () => {
    const stack = 'Error: x\n    at run (file:///srv/app/node_modules/flexq/dist/bin/chunk-2UR5VMQQ.js:1203:17)\n    at file:///srv/app/worker.mjs:8:3';
    expect(maskSecretsInText(stack)).toBe(stack);
  });
});

describe('presentError', () => {
  it('says in words that Redis is not answering when ioredis gave up on a command', async () => {
    // A real client's real error: nothing listens on this port, and it may retry a request once.
    const client = new Redis({ host: '127.0.0.1', port: await freePort(), maxRetriesPerRequest: 1, retryStrategy: () => 20 });
    client.on('error', () => {});
    try {
      const error = await client.get('x').then(() => undefined, (err: unknown) => err);
      expect(presentError(error)).toBe('Redis is not answering (the connection was lost and reconnecting has not worked yet)');
    } finally {
      client.disconnect();
    }
  });

  it('keeps any other error as its message, secrets masked', () => {
    expect(presentError(new Error('bad reply for password=hunter2'))).toBe('bad reply for password=[redacted]');
    expect(presentError('plain text')).toBe('plain text');
  });
});
