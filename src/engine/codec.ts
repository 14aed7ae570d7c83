/**
 * Turns stored job records into jobs, and checks what users hand in before anything is stored.
 * A record is one string per job (format in `lua/includes/lib.lua`): most of a waiting job's memory.
 */
import { DEFAULTS } from './defaults.js';
import { MAX_JSON_DEPTH } from '../shared/json-depth.js';
import { ValidationError } from './errors.js';
import { checkKnownKeys } from './known-keys.js';
import { type FailedAttempt, type Job, type JobStatus } from './types.js';
import { checkUnique, type UniqueSettings } from './unique-jobs.js';

/** A job as validated for `addJobs`: every value already in its stored form. */
export interface EncodedJob extends UniqueSettings {
  id: string;
  type: string;
  payloadJson: string;
  maxAttempts: number;
  priority: number;
  delay: number;
  timeout: number;
  /** The job's fair group (`JobOptions.group`), if any. */
  group?: string;
}

/**
 * Serialises any JSON value, rejecting what a JSON round trip would lose or mangle. Plain
 * JSON.stringify runs first and a walk checks its input after: a replacer function would do both
 * at once, but it takes JSON.stringify off its fast path, and payloads are serialised per job.
 */
export function toJson(operation: string, what: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    // A BigInt or a cycle. Name the BigInt's property if there is one; a cycle has none to name.
    checkJsonSafe(operation, what, '', value, new Set(), 0);
    throw new ValidationError(operation, `${what} cannot be serialised to JSON: ${(err as Error).message}`);
  }
  // JSON.stringify went through, so `value` holds no cycle: the walk needs no set of objects seen
  // (one per job otherwise), and meets each shared object no more often than JSON.stringify did.
  checkJsonSafe(operation, what, '', value, undefined, 0);
  return text ?? 'null';
}

/**
 * Throws a ValidationError naming the first value in `value` that JSON would drop or mangle, or
 * the nesting past MAX_JSON_DEPTH (thousands of levels overflow JSON.stringify and this walk alike).
 * `seen` stops the walk at a cycle; it may be left out for a value without any.
 */
function checkJsonSafe(operation: string, what: string, key: string, value: unknown, seen: Set<object> | undefined, depth: number): void {
  const name = key === '' ? what : `${what} property "${key}"`;
  switch (typeof value) {
    case 'function':
    case 'symbol':
    case 'bigint':
      throw new ValidationError(operation, `${name} is a ${typeof value}, which JSON cannot carry`);
    case 'number':
      if (!Number.isFinite(value)) throw new ValidationError(operation, `${name} is ${value}, which JSON cannot carry`);
      return;
    case 'object': {
      if (value === null || seen?.has(value)) return;
      if (depth >= MAX_JSON_DEPTH) {
        throw new ValidationError(operation, `${what} nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`);
      }
      if (value instanceof Map || value instanceof Set) {
        throw new ValidationError(operation, `${name} is a ${value.constructor.name}, which JSON turns into {}`);
      }
      // What JSON.stringify serialises in its place (a Date's string, say) is what counts.
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') {
        checkJsonSafe(operation, what, key, toJSON.call(value, key), seen, depth);
        return;
      }
      seen?.add(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) checkJsonSafe(operation, what, String(i), value[i], seen, depth + 1);
      } else {
        for (const property of Object.keys(value)) {
          checkJsonSafe(operation, what, property, (value as Record<string, unknown>)[property], seen, depth + 1);
        }
      }
    }
  }
}

function checkInteger(operation: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(operation, `${name} must be an integer from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

/** The longest duration flexq stores (delays, retry delays, retention ages): about 31 years. */
export const MAX_DURATION_MS = 1e12;

/** Checks a duration in ms (non-negative, at most MAX_DURATION_MS) and rounds it up to a whole millisecond. */
export function checkDuration(operation: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > MAX_DURATION_MS) {
    throw new ValidationError(operation, `${name} must be a number of milliseconds from 0 to ${MAX_DURATION_MS}, got ${describe(value)}`);
  }
  return Math.ceil(value);
}

/** Checks a priority: an integer in the supported range. */
export function checkPriority(operation: string, value: unknown): number {
  return checkInteger(operation, 'priority', value, DEFAULTS.minPriority, DEFAULTS.maxPriority);
}

/** Checks a job id argument's form (existence is the script's business). */
export function checkJobId(operation: string, id: unknown): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 200 || /[\s,]/.test(id)) {
    throw new ValidationError(operation, `job id must be a non-empty string without spaces or commas, got ${describe(id)}`);
  }
  return id;
}

/** Checks a queue name: it lands inside a `{…}` hash tag, so braces and colons are out. */
export function checkQueueName(operation: string, name: unknown): string {
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.\-]{1,100}$/.test(name)) {
    throw new ValidationError(operation, `queue name must be 1-100 letters, digits, "_", "." or "-", got ${describe(name)}`);
  }
  return name;
}

/**
 * A group name lands in key names and in the record between `|` separators: letters, digits and
 * `_ . : @ / -` only, so it needs no escaping anywhere.
 */
export const GROUP_PATTERN = /^[A-Za-z0-9_.:@\/-]{1,100}$/;
export const GROUP_RULE = '1-100 letters, digits, "_", ".", ":", "@", "/" or "-"';

function checkGroup(operation: string, group: unknown): { group?: string } {
  if (group === undefined) return {};
  if (typeof group !== 'string' || !GROUP_PATTERN.test(group)) throw new ValidationError(operation, `group must be ${GROUP_RULE}, got ${describe(group)}`);
  return { group };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

/** What a new job may say: a misspelled option would be dropped in silence. */
const JOB_KEYS = ['type', 'payload', 'maxAttempts', 'priority', 'timeout', 'uniqueKey', 'uniqueFor', 'group'];
/** Its `delay` comes from pushBulk's job, or from the delay argument of the other operations. */
const BULK_JOB_KEYS = [...JOB_KEYS, 'delay'];
const NEW_JOB_KEYS: ReadonlySet<string> = new Set(BULK_JOB_KEYS);

/**
 * The UTF-8 size of `json` when it is over `limit` bytes, else undefined. Most texts are far under
 * the limit in UTF-16 units already: only those near it are measured.
 */
export function bytesOver(json: string, limit: number): number | undefined {
  if (json.length * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(json);
  return bytes > limit ? bytes : undefined;
}

/** Validates a new job and puts it in stored form; throws `ValidationError` naming the bad field. */
export function encodeNewJob(
  operation: string,
  id: string,
  job: { type?: unknown; payload?: unknown; maxAttempts?: unknown; priority?: unknown; timeout?: unknown; uniqueKey?: unknown; uniqueFor?: unknown; group?: unknown },
  delay: unknown,
  defaultMaxAttempts: number,
  maxPayloadBytes: number,
): EncodedJob {
  if (typeof job !== 'object' || job === null) throw new ValidationError(operation, 'job must be an object');
  checkKnownKeys(operation, job, NEW_JOB_KEYS, operation === 'pushBulk' ? BULK_JOB_KEYS : JOB_KEYS);
  const { type, payload } = job;
  if (typeof type !== 'string' || type.trim() === '' || type.length > 200) {
    throw new ValidationError(operation, `job type must be a non-empty string of at most 200 characters, got ${describe(type)}`);
  }
  if (payload !== undefined && (typeof payload !== 'object' || payload === null || Array.isArray(payload))) {
    throw new ValidationError(operation, `payload must be a plain object, got ${Array.isArray(payload) ? 'an array' : describe(payload)}`);
  }
  const payloadJson = toJson(operation, 'payload', payload ?? {});
  const payloadBytes = bytesOver(payloadJson, maxPayloadBytes);
  if (payloadBytes !== undefined) {
    throw new ValidationError(operation, `payload is ${payloadBytes} bytes of JSON, over the limit of ${maxPayloadBytes} (maxPayloadBytes)`);
  }
  return {
    id,
    type,
    payloadJson,
    maxAttempts: job.maxAttempts === undefined ? defaultMaxAttempts : checkInteger(operation, 'maxAttempts', job.maxAttempts, 1, 1_000_000),
    priority: job.priority === undefined ? 0 : checkPriority(operation, job.priority),
    delay: checkDuration(operation, 'delay', delay ?? 0),
    timeout: job.timeout === undefined ? 0 : checkInteger(operation, 'timeout', job.timeout, 1, 2_147_483_647),
    ...checkGroup(operation, job.group),
    ...checkUnique(operation, job),
  };
}

/**
 * The ARGV values `addJobs.lua` takes: the number of jobs, their common delay and priority ('' where
 * they differ), the ids in one argument, each job's record from max attempts on (format in `lua/includes/lib.lua`),
 * which the script stores as it is, and only where they differ each job's delay and priority. A
 * batch whose jobs share them, the usual kind, costs the script no parsing per job. The type's
 * length is counted here, in UTF-16 units, because only `parseRecord` reads it back.
 */
export function addJobsArgs(jobs: readonly EncodedJob[]): (string | number)[] {
  const n = jobs.length;
  const { delay, priority } = jobs[0]!;
  // A uniform batch also shares one lane: addJobs.lua files it by the first job's group.
  const group = jobs[0]!.group;
  const uniform = jobs.every((job) => job.delay === delay && job.priority === priority && job.group === group);
  const args = new Array<string | number>(4 + (uniform ? 1 : 3) * n);
  args[0] = n;
  args[1] = uniform ? delay : '';
  args[2] = uniform ? priority : '';
  let ids = '';
  // Jobs of a batch mostly share every header field: their header is spelled once.
  let header = '';
  let headerOf: EncodedJob | undefined;
  jobs.forEach((job, i) => {
    ids += i === 0 ? job.id : `,${job.id}`;
    if (!headerOf || !sameHeader(job, headerOf)) {
      header = jobRecordHeader(job);
      headerOf = job;
    }
    args[4 + i] = header + job.payloadJson;
    if (!uniform) {
      args[4 + n + i] = job.delay;
      args[4 + 2 * n + i] = job.priority;
    }
  });
  args[3] = ids;
  return args;
}

/** One job's record from max attempts on, as addJobs.lua and fireSchedule.lua take it. */
export function jobRecordTail(job: EncodedJob): string {
  return jobRecordHeader(job) + job.payloadJson;
}

/** A record from max attempts up to its payload. */
function jobRecordHeader(job: EncodedJob): string {
  const typeLength = !job.group ? job.type.length : `${job.type.length},${job.group}`;
  return `${job.maxAttempts}|${job.priority || ''}|${job.delay || ''}|${job.timeout || ''}|${typeLength}|${job.type}`;
}

function sameHeader(a: EncodedJob, b: EncodedJob): boolean {
  return a.type === b.type && a.maxAttempts === b.maxAttempts && a.priority === b.priority && a.delay === b.delay
    && a.timeout === b.timeout && a.group === b.group;
}

/** The statuses as records spell them (one letter, see `lua/includes/lib.lua`). */
const STATUS_OF_CODE: Readonly<Record<string, JobStatus>> = {
  p: 'pending', a: 'processing', r: 'retrying', c: 'completed', f: 'failed', x: 'cancelled',
};

/** The header fields of a record after its run state, in order; an empty one is unset (or 0). */
const HEAD_FIELDS = ['c', 'm', 'p', 'w', 'o'] as const;

/**
 * A record's fields by the short names the scripts use (s status, a attempts, q claims = lease
 * token, e entered µs, r run-at ms, c created µs, m max attempts, p priority, w delay, o timeout),
 * undefined where unset, plus its type and payload JSON. `c` is decimal here (base 36 in the record).
 */
export type RecordFields = { [name in 's' | 'a' | 'q' | 'e' | 'r' | (typeof HEAD_FIELDS)[number]]: string | undefined } & { type: string; payload: string; group: string | undefined };

/** A job's rare values, stored beside its record as one JSON object (see `lua/includes/lib.lua`). */
export interface JobDetails {
  /** The last error. */
  x?: string;
  /** Result JSON. */
  res?: string;
  /** Progress JSON. */
  g?: string;
  /** The last failed attempts, oldest first. */
  h?: { a: number; o: FailedAttempt['outcome']; x: string; t: number }[];
  /** An isolated handler being stopped or killed (markHandlerStop.lua), and its attempt. */
  k?: 'stopping' | 'killed';
  ka?: number;
}

/** Parses stored details; a job without any has none stored. */
export function parseDetails(stored: string | null | undefined): JobDetails {
  if (!stored) return {};
  const parsed = parseJson(stored);
  return typeof parsed === 'object' && parsed !== null ? (parsed as JobDetails) : {};
}

/** The text of a record between two positions; undefined when empty (unset). */
function part(record: string, start: number, end: number): string | undefined {
  return end > start ? record.slice(start, end) : undefined;
}

/**
 * Splits a record into its fields, with the status spelled out; null for a malformed record.
 * `<status><run state>|<created µs, base 36>|…`: the run state `attempts,claims,entered,run-at` is
 * left out while all four are empty (format in `lua/includes/lib.lua`).
 */
export function parseRecord(record: string): RecordFields | null {
  const status = STATUS_OF_CODE[record.charAt(0)];
  const headEnd = record.indexOf('|');
  if (!status || headEnd < 0) return null;
  let a: string | undefined, q: string | undefined, e: string | undefined, r: string | undefined;
  if (headEnd > 1) {
    const first = record.indexOf(',', 1);
    const second = record.indexOf(',', first + 1);
    const third = record.indexOf(',', second + 1);
    if (first < 0 || second < 0 || third < 0 || third > headEnd) return null;
    a = part(record, 1, first);
    q = part(record, first + 1, second);
    e = part(record, second + 1, third);
    r = part(record, third + 1, headEnd);
  }
  const values: (string | undefined)[] = [];
  let start = headEnd + 1;
  for (let field = 0; field < HEAD_FIELDS.length; field++) {
    const end = record.indexOf('|', start);
    if (end < 0) return null;
    values.push(part(record, start, end));
    start = end + 1;
  }
  const typeEnd = record.indexOf('|', start);
  if (typeEnd < 0) return null;
  const typeStart = typeEnd + 1;
  // `<type length>` or, for a grouped job, `<type length>,<group>`.
  const comma = record.indexOf(',', start);
  const grouped = comma >= 0 && comma < typeEnd;
  const payloadStart = typeStart + Number(record.slice(start, grouped ? comma : typeEnd));
  const [created, m, p, w, o] = values;
  const c = created === undefined ? undefined : String(parseInt(created, 36));
  // One literal, so that every record's fields share one shape: reads of them stay fast.
  return {
    s: status, a, q, e, r, c, m, p, w, o,
    type: record.slice(typeStart, payloadStart), payload: record.slice(payloadStart),
    group: grouped ? record.slice(comma + 1, typeEnd) : undefined,
  };
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function dateOf(ms: string | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(Number(ms));
}

/** Decodes a stored job; `null` when there is no such job. */
export function decodeJob(queue: string, id: string, fields: RecordFields | null, details: JobDetails = {}): Job | null {
  if (!fields) return null;
  const createdAt = new Date(Math.floor(Number(fields.c ?? 0) / 1000));
  const job: Job = {
    id,
    queue,
    type: fields.type,
    payload: (parseJson(fields.payload) ?? {}) as Record<string, unknown>,
    status: fields.s as JobStatus,
    attempts: Number(fields.a ?? 0),
    maxAttempts: Number(fields.m ?? 1),
    priority: Number(fields.p ?? 0),
    delay: Number(fields.w ?? 0),
    createdAt,
    enteredAt: fields.e === undefined ? createdAt : new Date(Math.floor(Number(fields.e) / 1000)),
  };
  if (fields.o !== undefined) job.timeout = Number(fields.o);
  if (fields.group !== undefined) job.group = fields.group;
  const runAt = dateOf(fields.r);
  if (runAt) job.runAt = runAt;
  // A finished job's entered time is when it finished: its processed or failed time.
  if (job.status === 'completed') job.processedAt = new Date(job.enteredAt.getTime());
  if (job.status === 'failed') job.failedAt = new Date(job.enteredAt.getTime());
  // A job that completed after failed attempts has no error; its history keeps them.
  if (details.x !== undefined && job.status !== 'completed') job.error = details.x;
  if (details.res !== undefined) job.result = parseJson(details.res);
  if (details.g !== undefined) job.progress = parseJson(details.g);
  if (details.k !== undefined) job.handlerStop = { state: details.k, attempt: Number(details.ka ?? 0) };
  if (Array.isArray(details.h)) {
    job.history = details.h.map(({ a, o, x, t }) => ({ attempt: a, outcome: o, error: x, at: new Date(t) }));
  }
  return job;
}
