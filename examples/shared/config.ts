import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import type { RedisQueueConfig } from '../../src/index.js';

/** The Redis every example uses: `REDIS_URL`, or the machine's own. */
export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/**
 * Queue settings of one example. Each example keeps its keys under its own prefix
 * (`FLEXQ_REDIS_PREFIX`, the variable the `flexq` executable reads too), so running it
 * never touches another application's jobs.
 */
export function queueConfig(example: string, overrides: RedisQueueConfig = {}): RedisQueueConfig {
  return { url: REDIS_URL, prefix: process.env['FLEXQ_REDIS_PREFIX'] ?? `flexq-example-${example}`, ...overrides };
}

/** Where examples write their files: `EXAMPLES_OUTPUT_DIR`, else a folder under the OS temp dir. */
export function outputDir(example: string): string {
  return process.env['EXAMPLES_OUTPUT_DIR'] ?? join(tmpdir(), 'flexq-examples', example);
}

/** Worker logs go to stderr as JSON lines, so stdout carries only what the example prints. */
export function exampleLogger(): Logger {
  return pino({ level: process.env['LOG_LEVEL'] ?? 'info' }, pino.destination(2));
}
