import type { z } from 'zod';
import { nearestName } from '../engine/known-keys.js';

/** One problem found in the configuration. */
export interface ConfigIssue {
  /** The file, or `environment variable FLEXQ_…`, that holds the bad value. */
  source: string;
  /** Dotted key path, e.g. `queues.emails.concurrency`; empty for the file as a whole. */
  path: string;
  /** 1-based line of the key in the file, when it can be told. */
  line?: number;
  /** 1-based column, given for TOML syntax errors. */
  column?: number;
  /** What is wrong and what was expected. */
  message: string;
}

/** Thrown when flexq.toml or an environment override is unusable; the message lists every issue. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

/** One issue as a line: `flexq.toml:12: queues.emails.concurrency: expected …`. */
export function formatIssue(issue: ConfigIssue): string {
  const position = [issue.line, issue.column].filter((n) => n !== undefined).join(':');
  const where = position === '' ? issue.source : `${issue.source}:${position}`;
  return issue.path === '' ? `${where}: ${issue.message}` : `${where}: ${issue.path}: ${issue.message}`;
}

/** What zod hands an error map: one issue before it has a message. */
type RawIssue = Parameters<z.core.$ZodErrorMap>[0];

/**
 * Plain words for the issues zod words in its own terms ("Invalid input: expected int, received
 * number", "Too small: expected number to be >=1"). Passed to `safeParse`, it only fills in
 * messages a schema did not give, and leaves any other issue to zod.
 */
export function configErrorMap(issue: RawIssue): string | undefined {
  const got = describeValue(issue.input);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `missing; expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
      if (issue.expected === 'int' && typeof issue.input === 'number') return `expected a whole number, got ${got}`;
      // The kind of value only: a password written without quotes is still a password.
      return `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}, got ${kindOfValue(issue.input)}`;
    case 'too_small':
      if (issue.origin === 'number' || issue.origin === 'int') {
        return `must be ${issue.inclusive === false ? 'above' : 'at least'} ${String(issue.minimum)}, got ${got}`;
      }
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${String(issue.minimum)} characters`;
      if (issue.origin === 'array') return `expected at least ${String(issue.minimum)} item${Number(issue.minimum) === 1 ? '' : 's'}`;
      return undefined;
    case 'too_big':
      if (issue.origin === 'number' || issue.origin === 'int') {
        return `must be ${issue.inclusive === false ? 'below' : 'at most'} ${String(issue.maximum)}, got ${got}`;
      }
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      if (issue.origin === 'array') return `expected at most ${String(issue.maximum)} items`;
      return undefined;
    default:
      return undefined;
  }
}

/** zod's type names, as a TOML value is written. */
const TYPE_WORDS: Readonly<Record<string, string>> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string in quotes',
  boolean: 'true or false',
  object: 'a table',
  array: 'a list [ … ]',
};

/** A TOML value as a user would recognise it in the file (for values of keys that hold no secret). */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return kindOfValue(value);
}

/** What kind of TOML value it is, without the value. */
function kindOfValue(value: unknown): string {
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  if (typeof value === 'boolean') return 'true or false';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (typeof value === 'object' && value !== null) return 'a table';
  return String(value);
}

/** Turns zod's issues into config issues with key paths and, where found, lines of `source`. */
export function issuesFromZod(error: z.ZodError, file: string, source: string): ConfigIssue[] {
  const locate = lineLocator(source);
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    if (issue.code !== 'unrecognized_keys') return [{ source: file, path: path.join('.'), line: locate(path), message }];
    // One issue per unknown key, so each gets its own path, line and likely name.
    const known = /expected one of: (.*)$/.exec(message)?.[1]?.split(', ') ?? [];
    return issue.keys.map((key) => {
      const near = nearestName(key, known);
      const keyPath = [...path, key];
      return { source: file, path: keyPath.join('.'), line: locate(keyPath), message: near === undefined ? message : message.replace(/^unknown key/, `unknown key (did you mean '${near}'?)`) };
    });
  });
}

/**
 * Finds the line that defines a key path, by reading table headers and `key =` lines. TOML parsers
 * report lines only for syntax errors, yet a schema error is far easier to fix with one. This is a
 * best effort: the line whose key path is the longest prefix of the wanted path wins, so a key
 * inside an inline table points at the line holding that table.
 */
export function lineLocator(source: string): (path: readonly string[]) => number | undefined {
  const definitions: { path: string[]; line: number }[] = [];
  let table: string[] = [];
  source.split(/\r?\n/).forEach((text, index) => {
    const line = index + 1;
    const header = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$/.exec(text);
    if (header?.[1] !== undefined) {
      table = splitDottedKey(header[1]);
      definitions.push({ path: table, line });
      return;
    }
    const assignment = /^\s*([A-Za-z0-9_\-."' ]+?)\s*=/.exec(text);
    if (assignment?.[1] !== undefined) definitions.push({ path: [...table, ...splitDottedKey(assignment[1])], line });
  });
  return (path) => {
    let best: { length: number; line: number } | undefined;
    for (const definition of definitions) {
      const length = definition.path.length;
      if (length > path.length || length <= (best?.length ?? 0)) continue;
      if (definition.path.every((key, i) => key === path[i])) best = { length, line: definition.line };
    }
    // A key only a deeper header defines (`queue` of a misspelt `[queue.default]`): that header.
    return best?.line ?? definitions.find((definition) => path.length > 0 && path.every((key, i) => key === definition.path[i]))?.line;
  };
}

function splitDottedKey(text: string): string[] {
  const keys = text.match(/"[^"]*"|'[^']*'|[^.\s]+/g) ?? [];
  return keys.map((key) => (/^["']/.test(key) ? key.slice(1, -1) : key));
}
