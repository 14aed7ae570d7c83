/**
 * Checks of the option objects the public API takes (connect, queue(), RedisWorker, the built-in
 * handlers, schedules, the per-call options of bulk operations and pages): a misspelled key would
 * otherwise be dropped without a word, leaving its default in force. Each check runs once, where the
 * object is handed in; a job's own keys are checked without zod (known-keys.ts).
 */
import { z } from 'zod';
import { ValidationError } from './errors.js';
import { unknownKeysMessage } from './known-keys.js';

/**
 * A key whose value is checked where it is used, with a message of its own (range, format): the
 * options schema lists it so that it counts as known, and leaves its value alone.
 */
export const checkedWhereUsed = z.unknown().optional();

/** `value` as a range message quotes it: strings in quotes, numbers as written (NaN too). */
function shown(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : JSON.stringify(value) ?? String(value);
}

/** What kind of value it is, without the value: a wrong-typed option may be a password. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/**
 * A strict options object: an unknown key is an error that names it, suggests the nearest known
 * one and lists them all. `otherNames` maps names users bring from elsewhere (flexq.toml's
 * `concurrency`) to the option meant, for keys too far from it to be suggested by spelling.
 */
export function optionsSchema<Shape extends z.ZodRawShape>(shape: Shape, otherNames: Readonly<Record<string, string>> = {}) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? unknownKeysMessage(issue.keys, known, otherNames) : `must be an object, got ${kindOf(issue.input)}`),
  });
}

// Worded like flexq's other checks: "<option> must be …, got …".
const typeMessages: z.core.$ZodErrorMap = (issue) =>
  issue.code === 'invalid_type' ? `must be ${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}, got ${kindOf(issue.input)}` : undefined;

function pathText(path: readonly PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`)).join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = pathText(issue.path);
  if (path === '') return issue.code === 'unrecognized_keys' ? issue.message : `options ${issue.message}`;
  return issue.code === 'unrecognized_keys' ? `${path}: ${issue.message}` : `${path} ${issue.message}`;
}

/** An optional whole number from `min` to `max`, refused as "must be an integer from … to …, got …". */
export function integerOption(min: number, max: number) {
  return z.optional(z.custom<number>((value) => Number.isInteger(value) && (value as number) >= min && (value as number) <= max, {
    error: (issue) => `must be an integer from ${min} to ${max}, got ${shown(issue.input)}`,
  }));
}

/** Throws a ValidationError of `operation` naming every bad key of `given`, when `schema` refuses it. */
export function checkOptions(operation: string, schema: z.ZodType, given: unknown): void {
  const result = schema.safeParse(given, { error: typeMessages });
  if (!result.success) throw new ValidationError(operation, result.error.issues.map(describeIssue).join('; '));
}
