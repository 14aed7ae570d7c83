/** `[handlers]` turned into handlers: module files beside flexq.toml, and built-in options checked at start. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { loadHandlers } from '../../src/host/handler-setup.js';
import { parseConfig } from '../../src/config/config.js';
import { makeContext, makeJob } from '../handlers/helpers.js';
import { parse } from './config-helpers.js';

test('module handlers are found beside flexq.toml, by their default or a named export', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'flexq-handlers-'));
  try {
    await writeFile(join(dir, 'resize.mjs'), 'export const resize = async (_ctx, job) => ({ success: true, data: job.payload.n * 2 });\n');
    await writeFile(join(dir, 'plain.mjs'), 'export default async () => ({ success: true, data: "plain" });\n');
    const config = parseConfig('[handlers.resize]\nmodule = "./resize.mjs"\nexport = "resize"\n[handlers.plain]\nmodule = "./plain.mjs"\n', { file: join(dir, 'flexq.toml') });
    const loaded = await loadHandlers(config, 'headless');
    expect([...loaded.handlers.keys()]).toEqual(['resize', 'plain']);
    const { ctx } = makeContext();
    expect(await loaded.handlers.get('plain')!.handle(ctx, makeJob('plain', {}))).toEqual({ success: true, data: 'plain' });
    expect(await loaded.handlers.get('resize')!.handle(ctx, makeJob('resize', { n: 21 }))).toEqual({ success: true, data: 42 });
    loaded.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a built-in's bad option is refused at start, naming the job type", async () => {
  await expect(loadHandlers(parse('[handlers.nap]\nbuiltin = "sleep"\noptions = { nope = 1 }\n'), 'headless'))
    .rejects.toThrow('handler for job type "nap": unknown sleep option "nope" (known: ms)');
  await expect(loadHandlers(parse('[handlers.missing]\nmodule = "./nowhere.mjs"\n'), 'headless'))
    .rejects.toThrow(/^handler for job type "missing" \(/);
});
