import { readFileSync } from 'node:fs';

/** The version of the installed flexq package, read once from its package.json. */
export const FLEXQ_VERSION: string = readVersion();

// package.json sits two folders up from both src/host/ and dist/host/, so one relative URL serves
// the tests (run from source) and the published package.
function readVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const parsed: unknown = JSON.parse(text);
  const version = typeof parsed === 'object' && parsed !== null ? (parsed as { version?: unknown }).version : undefined;
  return typeof version === 'string' ? version : '0.0.0';
}
