/**
 * Masking of secrets inside free text: error messages, log messages, URLs and string values of
 * payloads. Key-based masking (`redact.ts`) cannot see a token a server echoed into a 401 body or
 * a password in a URL's query string, so every text flexq shows passes through here as well.
 */
import { REDACTED } from './redact.js';

/**
 * A path segment that looks like a secret: webhook services put tokens in the path
 * (`/services/T0/B0/XXXXXXXXXXXXXXXXXXXXXXXX`, `/api/webhooks/<id>/<token>`). Long runs of
 * letters and digits mixed are masked; short words, plain numbers (ids) and file names stay, so
 * the reader can still tell endpoints apart.
 */
function looksLikeToken(segment: string): boolean {
  const name = segment.replace(FILE_POSITION, '');
  if (name.length >= 32) return true;
  return name.length >= 16 && /[0-9]/.test(name) && /[A-Za-z]/.test(name);
}

// A file's extension, and the line and column a stack trace adds (`chunk-2UR5VMQQ.js:12:34`): a
// file is judged by its name alone, so stack traces keep the files they name.
const FILE_POSITION = /\.[A-Za-z]{1,5}(?::\d+){0,2}$/;

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A path segment fit for output: a token-like one masked whole, or, when it holds an `@` (user
 * info that landed in the path), up to its last `@`, so the host after it still shows.
 */
function maskedSegment(segment: string): string {
  const at = segment.lastIndexOf('@');
  if (at > 0) return `${REDACTED}${segment.slice(at)}`;
  return looksLikeToken(decodeURIComponentSafe(segment)) ? REDACTED : segment;
}

/**
 * A URL fit for logs, job errors and the console: user info becomes `[redacted]@`, query values
 * and token-like path segments are masked, because webhook and Redis URLs often carry secrets
 * there (`https://hooks.example.com/x?token=…`, `redis://:password@host`). The masked parts keep
 * their place, so the reader sees that credentials were given; query keys stay so URLs can still
 * be told apart. A masked URL masks to itself.
 */
export function describeUrl(url: URL): string {
  const userInfo = url.username !== '' || url.password !== '' ? `${REDACTED}@` : '';
  const keys = [...new Set(url.searchParams.keys())];
  const query = keys.length > 0 ? `?${keys.map((key) => `${key}=${REDACTED}`).join('&')}` : '';
  const path = url.pathname
    .split('/')
    .map(maskedSegment)
    .join('/');
  // Without a host (`redis:/u:pw@host`, one slash short) the text after the scheme is all path:
  // written as given, so the reader sees the slash that is missing.
  return url.host === '' && userInfo === '' ? `${url.protocol}${path}${query}` : `${url.protocol}//${userInfo}${url.host}${path}${query}`;
}

/**
 * A text that should be a URL, fit for any output: a URL with nothing secret keeps its exact
 * spelling; one with user info, a query, a fragment or a token-like path segment is written as
 * `describeUrl` gives it. A text that does not parse (a mistyped `FLEXQ_REDIS_URL`) loses
 * everything before the last `@` after the scheme (user and password, however mangled) and every
 * query value.
 */
export function describeUrlText(text: string): string {
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    const scheme = /^[a-z][a-z0-9+.-]*:\/*/i.exec(text)?.[0] ?? '';
    let rest = text.slice(scheme.length);
    const at = rest.lastIndexOf('@');
    if (at >= 0) rest = `${REDACTED}${rest.slice(at)}`;
    return scheme + rest.replace(/([?&][^=&#\s]*=)[^&#\s]*/g, `$1${REDACTED}`);
  }
  const secretPath = parsed.pathname.split('/').some((segment) => looksLikeToken(decodeURIComponentSafe(segment)));
  if (parsed.username === '' && parsed.password === '' && parsed.search === '' && parsed.hash === '' && !secretPath) return text;
  return describeUrl(parsed);
}

// Words that end the name of a secret: `password`, `DB_PASSWORD`, `access_token`, `X-Api-Key`, `AWS_SECRET_ACCESS_KEY`.
const SECRET_WORD = String.raw`(?:passw(?:or)?d|pwd|secret|token|(?:api|access|private)[_-]?key|authorization|auth|cookie|session|signature|credentials?)`;

/** Any `scheme://…` run, so that URLs inside a sentence are found. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]{0,31}:\/\/[^\s"'<>`\\]+/gi;

/** The two key-value patterns for a set of secret words (the defaults, plus configured names). */
interface PairPatterns {
  /** A quoted key and a quoted value, as JSON and most config formats write them: `"password": "x"`. */
  quoted: RegExp;
  /** `password=x`, `api_key = "x"`, `token=x&…` (query strings outside a full URL, form bodies, env lines). */
  equals: RegExp;
}

// Every repetition that could run on is bounded: these patterns see hostile text (a server's
// reply, a 64 KiB result), and an unbounded lazy key or an unclosed quote would make each match
// attempt scan to the end of the text, quadratic in its length. A key names at most 64 characters
// before its secret word; a quoted value is masked for 4,096 characters even without its closing quote.
function pairPatterns(word: string): PairPatterns {
  return {
    quoted: new RegExp(String.raw`(["'])([\w.-]{0,64}?${word})\1(\s{0,8}[:=]\s{0,8})(["'])((?:\\.|(?!\4)[^\\]){0,4096})(\4?)`, 'gi'),
    equals: new RegExp(String.raw`\b([\w.-]{0,64}?${word})(\s{0,8}=\s{0,8})(?!\[redacted\])("[^"]{0,4096}"?|'[^']{0,4096}'?|[^\s&,;"'<>)}\]]+)`, 'gi'),
  };
}

const DEFAULT_PAIRS = pairPatterns(SECRET_WORD);
// Built once per list of configured names: a host has one list, so this holds one or two entries.
const configuredPairs = new Map<string, PairPatterns>();

/** The patterns for the defaults plus configured names such as `cvv` (a key ending in one matches, as in `redact.ts`). */
function pairsFor(names: readonly string[]): PairPatterns {
  if (names.length === 0) return DEFAULT_PAIRS;
  const key = names.join('\u0000');
  let pairs = configuredPairs.get(key);
  if (pairs === undefined) {
    const escaped = names.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    pairs = pairPatterns(`(?:${SECRET_WORD.slice(3, -1)}|${escaped.join('|')})`);
    if (configuredPairs.size > 16) configuredPairs.clear();
    configuredPairs.set(key, pairs);
  }
  return pairs;
}

/**
 * An HTTP header line whose value is a credential, as a server echoes a request back:
 * `Authorization: Bearer …`, `Cookie: a=b; c=d`. The value runs to the end of the line, because
 * a cookie list or a scheme plus token holds spaces. Only header names, not any key with a colon:
 * `password: expected a string` is a config message, not a secret.
 */
const HEADER_LINE = /\b((?:proxy-)?authorization|set-cookie|cookie|x-api-key|api-key|x-auth-token|x-access-token)(\s{0,8}:\s{0,8})(?!\[redacted\])[^\r\n]+/gi;

/** `Bearer <token>` wherever it stands. */
const BEARER = /\b(Bearer)(\s{1,8})(?!\[redacted\])[A-Za-z0-9\-._~+/]+=*/gi;

/** `Basic <base64>`; masked only when it decodes to `user:password`, so "Basic settings" stays. */
const BASIC = /\b(Basic)(\s{1,8})([A-Za-z0-9+/]{4,}={0,2})/gi;

function isBasicCredentials(encoded: string): boolean {
  return Buffer.from(encoded, 'base64').toString('latin1').includes(':');
}

const OPENER_OF: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

const countOf = (text: string, char: string) => text.split(char).length - 1;

/**
 * A URL found in text: punctuation that ends the sentence rather than the URL stays outside it. A
 * closing bracket does only when the URL has no opener for it, so a URL masked before
 * (`?token=[redacted]`) keeps its last `]` and masks to itself.
 */
function maskUrlInText(match: string): string {
  let end = match.length;
  for (; end > 0; end--) {
    const last = match[end - 1]!;
    const opener = OPENER_OF[last];
    const outside = opener === undefined ? '.,;:!?'.includes(last) : countOf(match.slice(0, end), last) > countOf(match.slice(0, end), opener);
    if (!outside) break;
  }
  return describeUrlText(match.slice(0, end)) + match.slice(end);
}

/** What any secret pattern here contains: a URL's or a pair's separator, or a credential scheme. */
const MIGHT_HOLD_SECRET = /[=:]|bearer|basic/i;

/**
 * `text` with secrets masked as `[redacted]`: URL credentials, query values and token-like path
 * segments; `Bearer …` and `Basic …` credentials; quoted `"password": "…"` pairs; `token=…`,
 * `password=…`, `api_key=…` pairs; and credential header lines. `names` adds key names (the
 * single-word entries of `redact` in flexq.toml) to the pairs masked. A text with nothing to mask
 * is returned as is.
 */
export function maskSecretsInText(text: string, names: readonly string[] = []): string {
  // Every pattern below needs one of these; most strings (ids, types, messages) have none, and
  // this runs on every string of every log line.
  if (!MIGHT_HOLD_SECRET.test(text)) return text;
  const { quoted, equals } = pairsFor(names);
  return text
    .replace(URL_IN_TEXT, maskUrlInText)
    .replace(quoted, (_all, quote: string, key: string, sep: string, open: string, _value: string, close: string) => `${quote}${key}${quote}${sep}${open}${REDACTED}${close}`)
    .replace(HEADER_LINE, (_all, name: string, sep: string) => `${name}${sep}${REDACTED}`)
    .replace(equals, (_all, key: string, sep: string) => `${key}${sep}${REDACTED}`)
    .replace(BEARER, (_all, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(BASIC, (all: string, scheme: string, space: string, encoded: string) => (isBasicCredentials(encoded) ? `${scheme}${space}${REDACTED}` : all));
}
