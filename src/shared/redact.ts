/**
 * Payload masking, shared by the host (`flexq show`, logs) and the console's job detail: neither
 * owns it, so it lives outside both.
 */

/** What a masked value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Key names masked at any depth whatever the configuration says: a secret in a payload is a
 * secret wherever a producer nested it. Configured names and paths come on top of these.
 */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  'password', 'passwd', 'token', 'secret', 'apiKey', 'api_key', 'authorization', 'cookie', 'x-api-key',
];

/** Bounds the walk: payloads are JSON and shallow; anything deeper is cut rather than walked for ever. */
const MAX_DEPTH = 100;

/** A key's words, lower-cased: `myApiKey`, `my_api_key` and `My-API-Key` all give my, api, key. */
function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/**
 * A test for key names: a key matches a name case-insensitively when the name is the key or its
 * last words, ignoring separators (`accessToken`, `refresh_token`, `X-Auth-Token`, `myApiKey`,
 * `db.password` all match), because producers decorate secret names far more often than they
 * rename them. `tokenCount` or `secretary` do not match: the name must end the key.
 */
function keyMatcher(names: readonly string[]): (key: string) => boolean {
  const wanted = new Set(names.map((name) => words(name).join('')));
  // Every log line and job passes here, and keys repeat (`jobId`, `msg`, `to`): each key's answer
  // is kept, up to a bound, so the word splitting runs once per distinct key.
  const known = new Map<string, boolean>();
  return (key) => {
    let matches = known.get(key);
    if (matches !== undefined) return matches;
    const parts = words(key);
    matches = false;
    for (let start = 0; start < parts.length && !matches; start++) matches = wanted.has(parts.slice(start).join(''));
    if (known.size >= 10_000) known.clear();
    known.set(key, matches);
    return matches;
  };
}

// One matcher per list of configured names; a process has one or two lists.
const matchers = new Map<string, (key: string) => boolean>();

function matcherFor(names: readonly string[]): (key: string) => boolean {
  const id = names.join('\u0000');
  let matcher = matchers.get(id);
  if (matcher === undefined) {
    if (matchers.size >= 16) matchers.clear();
    matcher = keyMatcher([...DEFAULT_REDACT_KEYS, ...names]);
    matchers.set(id, matcher);
  }
  return matcher;
}

// Copies only what changes, so a value with nothing to mask is returned as is.
function maskKeys(value: unknown, matches: (key: string) => boolean, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH || seen.has(value)) return REDACTED; // too deep or circular: show nothing rather than risk a secret
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      const items = value.map((item) => maskKeys(item, matches, depth + 1, seen));
      return items.some((item, index) => item !== value[index]) ? items : value;
    }
    let changed = false;
    const entries = Object.entries(value).map(([key, item]): [string, unknown] => {
      const masked = matches(key) ? REDACTED : maskKeys(item, matches, depth + 1, seen);
      changed ||= masked !== item;
      return [key, masked];
    });
    return changed ? Object.fromEntries(entries) : value;
  } finally {
    seen.delete(value); // the same object twice (not a cycle) is walked twice
  }
}

// Copies only along the masked path, so an unmasked payload is returned as is.
function maskPath(value: unknown, keys: readonly string[]): unknown {
  const [key, ...rest] = keys;
  if (key === undefined || typeof value !== 'object' || value === null) return value;
  const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value);
  let changed = false;
  const next = entries.map(([name, item]): [string, unknown] => {
    if (key !== '*' && name.toLowerCase() !== key.toLowerCase()) return [name, item];
    const masked = rest.length === 0 ? REDACTED : maskPath(item, rest);
    changed ||= masked !== item;
    return [name, masked];
  });
  if (!changed) return value;
  return Array.isArray(value) ? next.map(([, item]) => item) : Object.fromEntries(next);
}

/**
 * Returns a copy of any JSON-like `value` (object, array, scalar) with secrets replaced by
 * `[redacted]`:
 * - keys named like `DEFAULT_REDACT_KEYS` or like a single-word entry of `paths`, at any depth,
 *   inside arrays of objects too, case-insensitively (see `keyMatcher`);
 * - dotted entries of `paths` (`headers.authorization`, `cards.*.number`) from the root, where
 *   `*` matches any one key or array index.
 * The input is never changed; a value with nothing to mask is returned as is.
 */
export function redactValue(value: unknown, paths: readonly string[] = []): unknown {
  const names = paths.filter((path) => !path.includes('.') && path !== '*');
  let result = maskKeys(value, matcherFor(names), 0, new WeakSet());
  for (const path of paths) if (path.includes('.') || path === '*') result = maskPath(result, path.split('.'));
  return result;
}

/** `redactValue` for a job payload (an object), keeping its type. */
export function redactPayload(payload: Record<string, unknown>, paths: readonly string[] = []): Record<string, unknown> {
  return redactValue(payload, paths) as Record<string, unknown>;
}
