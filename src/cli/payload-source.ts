/** The payload of `flexq dispatch`: the argument's JSON, or JSON read from stdin (`-`) or a file (`@FILE`). */
import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { fileProblem } from '../shared/file-problem.js';
import { jsonDepth, MAX_JSON_DEPTH } from '../shared/json-depth.js';
import type { PayloadSource } from './cli-commands.js';
import { CliUsageError } from './cli-errors.js';

const EXAMPLE = `'{"to":"a@b.c"}'`;

/** A payload's JSON text as the object it must be; throws an Error saying what is wrong. */
export function payloadObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`expected a JSON object such as ${EXAMPLE} (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`expected a JSON object such as ${EXAMPLE}`);
  if (jsonDepth(parsed, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    throw new Error(`the payload nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`);
  }
  return parsed as Record<string, unknown>;
}

/** What reading a payload needs of the process: its stdin and stderr, and the folder `@FILE` is relative to. */
export interface PayloadInput {
  stdin: AsyncIterable<string | Uint8Array> & { isTTY?: boolean };
  stderr: { write(text: string): unknown };
  cwd: string;
}

/** Reads the payload a dispatch names for a queue whose maxPayloadBytes is `maxBytes`. */
export type PayloadReader = (maxBytes: number) => Promise<Record<string, unknown>>;

/**
 * How much larger than `maxPayloadBytes` a payload may be as given: the limit counts compact JSON,
 * and a pretty-printed file (`jq` indents by default) carries whitespace that storing drops.
 */
const AS_GIVEN_FACTOR = 4;

/**
 * The payload a dispatch names. stdin and `@FILE` take payloads too large for an argument (the
 * shell's "Argument list too long" comes well before `maxPayloadBytes`); they are read up to
 * `AS_GIVEN_FACTOR` times `maxBytes` and no further, so an endless source is refused instead of
 * filling memory (the engine then holds the compact JSON to `maxBytes` exactly). A source that
 * cannot be read, is too large or is not a JSON object is a usage error naming the source.
 */
export async function readPayload(source: PayloadSource, input: PayloadInput, maxBytes: number): Promise<Record<string, unknown>> {
  if (source.from === 'argument') return source.payload;
  // Otherwise a user who left the payload out sees a command that seems to hang.
  if (source.from === 'stdin' && input.stdin.isTTY === true) input.stderr.write('flexq: reading the payload JSON from stdin (end with Ctrl-D)\n');
  const readLimit = AS_GIVEN_FACTOR * maxBytes;
  const [text, named] = source.from === 'stdin'
    ? [await readUpTo(input.stdin, readLimit), 'payload from stdin']
    : [await readPayloadFile(resolve(input.cwd, source.path), source.path, readLimit), `payload file ${source.path}`];
  if (text === undefined) {
    throw new CliUsageError(`${named} is over ${readLimit} bytes as given, ${AS_GIVEN_FACTOR} times the queue's limit of ${maxBytes} bytes of JSON (maxPayloadBytes)`);
  }
  try {
    return payloadObject(text);
  } catch (error) {
    throw new CliUsageError(`${named}: ${(error as Error).message}`);
  }
}

async function readPayloadFile(path: string, shown: string, maxBytes: number): Promise<string | undefined> {
  try {
    // `end` is inclusive: one byte past the limit tells a file over it from one just at it.
    return await readUpTo(createReadStream(path, { end: maxBytes }), maxBytes);
  } catch (error) {
    throw new CliUsageError(`cannot read the payload file ${shown}: ${fileProblem(error)}`);
  }
}

/** The stream's text; undefined once it runs past `maxBytes`, leaving the rest unread (the loop's exit closes the stream). */
async function readUpTo(stream: AsyncIterable<string | Uint8Array>, maxBytes: number): Promise<string | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > maxBytes) return undefined;
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}
