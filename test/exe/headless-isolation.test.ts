/**
 * The executable with an isolated module handler from flexq.toml: the bundled runner starts in a
 * child process, a busy loop past its timeout is killed, and a module that cannot load stops the start.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers.js';
import { FlexqProcess, redisEnv, useHeadlessHost } from './helpers.js';

const STUBBORN = fileURLToPath(new URL('../fixtures/handlers/stubborn.mjs', import.meta.url));

const config = (module: string) => `
[queues.default]
pollTime = "200ms"
[handlers.stubborn]
module = "${module}"
isolation = "process"
killAfter = "300ms"
[metrics]
enabled = false
`;

describe('flexq --headless with [handlers] isolation = "process"', () => {
  const t = useHeadlessHost('exe-isolation', config(STUBBORN));

  it('kills a busy loop past its timeout and keeps serving jobs', async () => {
    t.host = new FlexqProcess(['--headless'], { env: redisEnv(t.prefix), cwd: t.dir });
    await t.host.waitForLog(/^flexq running/);
    const spin = await t.queue.push({ type: 'stubborn', payload: { mode: 'spin', beat: join(t.dir, 'beat') }, timeout: 200, maxAttempts: 1 });
    await waitFor('the spinning job to fail', async () => (await t.queue.getJobStatus(spin.id)) === 'failed', { timeoutMs: 15_000 });
    expect(await t.queue.getJob(spin.id)).toMatchObject({
      error: 'job timed out after 200 ms; handler killed 300 ms after its signal aborted', handlerStop: { state: 'killed' },
    });
    await t.host.waitForLog(/^handler killed/);
    const work = await t.queue.push({ type: 'stubborn', payload: { mode: 'work' } });
    await waitFor('the next job to complete', async () => (await t.queue.getJobStatus(work.id)) === 'completed', { timeoutMs: 15_000 });
  });

  it('refuses to start when the isolated module does not load, naming the job type', async () => {
    await writeFile(join(t.dir, 'flexq.toml'), config(join(t.dir, 'missing.mjs')));
    t.host = new FlexqProcess(['--headless'], { env: redisEnv(t.prefix), cwd: t.dir });
    expect(await t.host.exited).toBe(1);
    expect(t.host.stdout + t.host.stderr).toMatch(/handler for job type "stubborn".*cannot read the module file: no such file/);
  });
});
