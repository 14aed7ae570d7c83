/**
 * Typed job maps: `test/types/job-map-fixture.ts` uses a queue with a job map and one without, with
 * every misuse marked `@ts-expect-error`. tsc must compile it clean: a correct use that failed, or a
 * misuse that compiled (its directive then unused), is an error and fails this test.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const PROJECT = fileURLToPath(new URL('./tsconfig.json', import.meta.url));
const TSC = createRequire(import.meta.url).resolve('typescript/bin/tsc');

it('checks job types and payloads against the map, and leaves a queue without one as it was', async () => {
  // The project's own compiler options, over the fixture alone (and what it imports).
  const args = [TSC, '-p', PROJECT];
  const result = await promisify(execFile)(process.execPath, args, { cwd: fileURLToPath(new URL('../..', import.meta.url)) })
    .then(() => ({ code: 0, stdout: '' }), (error: { code?: number; stdout?: string }) => ({ code: error.code ?? 1, stdout: error.stdout ?? '' }));
  expect(result.stdout).toBe('');
  expect(result.code).toBe(0);
}, 60_000);
