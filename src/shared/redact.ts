/**
 * Payload masking, shared by the host (`flexq show`, logs) and the console's job detail: neither
 * owns it, so it lives outside both.
 */

/** What a masked value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Returns a copy of `payload` with the values at `paths` replaced by `[redacted]`. A path is
 * dot-separated keys from the payload root; `*` matches any one key (or array index). Keys are
 * compared case-insensitively because header names, a common target, are.
 */
export function redactPayload(payload: Record<string, unknown>, paths: readonly string[]): Record<string, unknown> {
  let result: unknown = payload;
  for (const path of paths) result = maskPath(result, path.split('.'));
  return result as Record<string, unknown>;
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
