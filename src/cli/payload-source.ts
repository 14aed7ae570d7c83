/** The payload of `flexq dispatch`: the argument's JSON, or JSON read from stdin (`-`) or a file (`@FILE`). */
import { readFile } from 'node:fs/promises';
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

/** What reading a payload needs of the process: its stdin, and the folder `@FILE` is relative to. */
export interface PayloadInput {
  stdin: AsyncIterable<string | Uint8Array>;
  cwd: string;
}

/**
 * The payload a dispatch names. stdin and `@FILE` take payloads too large for an argument (the
 * shell's "Argument list too long" comes well before `maxPayloadBytes`). A source that cannot be
 * read or is not a JSON object is a usage error naming the source.
 */
export async function readPayload(source: PayloadSource, input: PayloadInput): Promise<Record<string, unknown>> {
  if (source.from === 'argument') return source.payload;
  const [text, named] = source.from === 'stdin'
    ? [await readAll(input.stdin), 'payload from stdin']
    : [await readPayloadFile(resolve(input.cwd, source.path), source.path), `payload file ${source.path}`];
  try {
    return payloadObject(text);
  } catch (error) {
    throw new CliUsageError(`${named}: ${(error as Error).message}`);
  }
}

async function readPayloadFile(path: string, shown: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new CliUsageError(`cannot read the payload file ${shown}: ${fileProblem(error)}`);
  }
}

async function readAll(stream: AsyncIterable<string | Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
