import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinHandler, HandlerLoadError, loadHandlerModule } from '../../src/handlers/index.js';
import { makeContext, makeJob, startHttpServer } from './helpers.js';

/** Fixture modules, one per export shape or failure, written fresh into a temp dir. */
const FIXTURES: Record<string, string> = {
  'default-object.mjs': `export default { prefix: 'obj', handle(ctx, job) { return { success: true, data: this.prefix + ':' + job.payload.n }; } };`,
  'default-function.mjs': `export default async (ctx, job) => ({ success: true, data: job.payload.n * 2 });`,
  'factory.mjs': `export function createHandler(config) { return { handle: () => ({ success: true, data: config.greeting }) }; }
export default () => ({ success: false, error: 'the default export must lose to createHandler' });`,
  'async-factory.mjs': `export async function createHandler(config) { await Promise.resolve(); return (ctx, job) => ({ success: true, data: config.times * job.payload.n }); }`,
  'commonjs.cjs': `module.exports = { handle: (ctx, job) => ({ success: true, data: 'cjs ' + job.type }) };`,
  'syntax-error.mjs': `export default {{ broken`,
  'throws-on-import.mjs': `throw new Error('missing env var API_TOKEN');`,
  'named-only.mjs': `export const helper = 1; export function other() {}`,
  'default-number.mjs': `export default 42;`,
  'factory-throws.mjs': `export function createHandler() { throw new Error('config.apiKey is required'); }`,
  'factory-returns-junk.mjs': `export function createHandler() { return { run() {} }; }`,
  'factory-not-function.mjs': `export const createHandler = { handle() {} };`,
  'nested/relative.mjs': `export default () => ({ success: true, data: 'nested' });`,
  'named-handlers.mjs': `export const report = (ctx, job) => ({ success: true, data: 'named ' + job.payload.n }); export const notAHandler = 7;`,
  'node_modules/acme-handlers/package.json': `{ "name": "acme-handlers", "type": "module", "exports": "./index.js" }`,
  'node_modules/acme-handlers/index.js': `export default () => ({ success: true, data: 'from a package' });`,
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flexq-loader-'));
  await mkdir(join(dir, 'nested'));
  await mkdir(join(dir, 'node_modules', 'acme-handlers'), { recursive: true });
  await Promise.all(Object.entries(FIXTURES).map(([name, source]) => writeFile(join(dir, name), source)));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runLoaded(file: string, payload: Record<string, unknown> = {}, config?: Record<string, unknown>) {
  const handler = await loadHandlerModule('report', file, config, dir);
  const { ctx } = makeContext();
  return handler.handle(ctx, makeJob('report', payload));
}

/** Loads `file` expecting a HandlerLoadError; returns its message. */
async function loadError(file: string, config?: Record<string, unknown>): Promise<string> {
  const error = await loadHandlerModule('report', file, config, dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(HandlerLoadError);
  const message = (error as HandlerLoadError).message;
  expect(message).toContain('job type "report"');
  return message;
}

describe('loadHandlerModule: export shapes', () => {
  it('uses a default-exported Handler object, keeping its `this`', async () => {
    expect(await runLoaded('default-object.mjs', { n: 3 })).toEqual({ success: true, data: 'obj:3' });
  });

  it('wraps a default-exported function as a handler', async () => {
    expect(await runLoaded('default-function.mjs', { n: 21 })).toEqual({ success: true, data: 42 });
  });

  it('calls a named createHandler factory with the config table, in preference to the default export', async () => {
    expect(await runLoaded('factory.mjs', {}, { greeting: 'hello' })).toEqual({ success: true, data: 'hello' });
  });

  it('awaits an async factory that returns a handler function', async () => {
    expect(await runLoaded('async-factory.mjs', { n: 5 }, { times: 3 })).toEqual({ success: true, data: 15 });
  });

  it('loads a CommonJS module through its default export', async () => {
    expect(await runLoaded('commonjs.cjs')).toEqual({ success: true, data: 'cjs report' });
  });

  it('resolves relative paths against baseDir and accepts absolute paths and file: URLs', async () => {
    expect(await runLoaded('./nested/relative.mjs')).toEqual({ success: true, data: 'nested' });
    expect((await loadHandlerModule('r', join(dir, 'nested/relative.mjs'))).handle).toBeTypeOf('function');
    expect((await loadHandlerModule('r', pathToFileURL(join(dir, 'nested/relative.mjs')).href)).handle).toBeTypeOf('function');
  });
});

describe('loadHandlerModule: named exports and packages', () => {
  it('uses the named export given as exportName', async () => {
    const handler = await loadHandlerModule('report', './named-handlers.mjs', {}, dir, 'report');
    expect(await handler.handle(makeContext().ctx, makeJob('report', { n: 3 }))).toEqual({ success: true, data: 'named 3' });
  });

  it('names a missing or unusable named export', async () => {
    await expect(loadHandlerModule('report', './named-handlers.mjs', {}, dir, 'nope')).rejects.toThrow(/no export "nope" \(exports: report, notAHandler\)/);
    await expect(loadHandlerModule('report', './named-handlers.mjs', {}, dir, 'notAHandler')).rejects.toThrow(/export "notAHandler" is .*expected a Handler/);
  });

  it('imports a package by name, found from baseDir', async () => {
    const handler = await loadHandlerModule('report', 'acme-handlers', {}, dir);
    expect(await handler.handle(makeContext().ctx, makeJob('report', {}))).toEqual({ success: true, data: 'from a package' });
    await expect(loadHandlerModule('report', 'no-such-package', {}, dir)).rejects.toThrow(/no such file, and no package of that name found/);
  });
});

describe('loadHandlerModule: errors name the job type and resolved path', () => {
  it('reports a missing file', async () => {
    const message = await loadError('nope.mjs');
    expect(message).toContain(join(dir, 'nope.mjs'));
    expect(message).toContain('cannot read the module file: no such file');
  });

  it('reports a directory given as the module', async () => {
    expect(await loadError('nested')).toContain('not a file');
  });

  it('reports a module that fails to import, with the cause', async () => {
    expect(await loadError('throws-on-import.mjs')).toContain('module failed to import: missing env var API_TOKEN');
    const syntax = await loadError('syntax-error.mjs');
    expect(syntax).toContain(join(dir, 'syntax-error.mjs'));
    expect(syntax).toContain('module failed to import');
  });

  it('reports a module without a usable export, listing what it exports', async () => {
    expect(await loadError('named-only.mjs')).toContain('no default export (exports: helper, other)');
    expect(await loadError('default-number.mjs')).toContain('default export is a number');
  });

  it('reports a factory that throws, returns something unusable, or is not a function', async () => {
    const thrown = await loadHandlerModule('report', 'factory-throws.mjs', {}, dir).then(() => undefined, (err: unknown) => err);
    expect(thrown).toBeInstanceOf(HandlerLoadError);
    expect((thrown as HandlerLoadError).message).toContain('createHandler(config) threw: config.apiKey is required');
    expect(((thrown as HandlerLoadError).cause as Error).message).toBe('config.apiKey is required');
    expect(await loadError('factory-returns-junk.mjs')).toContain('returned an object without a handle() method (keys: run)');
    expect(await loadError('factory-not-function.mjs')).toContain('createHandler export is an object');
  });

  it('refuses a config table that no factory would receive', async () => {
    expect(await loadError('default-function.mjs', { greeting: 'lost' })).toContain('exports no createHandler(config)');
  });
});

describe('builtinHandler', () => {
  it('maps "webhook" with flexq.toml options, duration strings included', async () => {
    const server = await startHttpServer(() => undefined); // never answers
    try {
      const { ctx } = makeContext();
      const result = await builtinHandler('webhook', { timeout: '150ms' }).handle(ctx, makeJob('webhook', { url: `${server.origin}/slow` }));
      expect(result.error).toContain('timed out after 150 ms');
    } finally {
      await server.close();
    }
  });

  it('maps "email", validating payloads like the built-in', async () => {
    const { ctx } = makeContext();
    const result = await builtinHandler('email', { host: '127.0.0.1', port: 1 }).handle(ctx, makeJob('email', { subject: 's', body: 'b' }));
    expect(result).toMatchObject({ success: false, retry: false, error: 'payload.to is missing' });
  });

  it('rejects unknown names and unknown or mistyped options', () => {
    expect(() => builtinHandler('sms')).toThrow('unknown built-in handler "sms"; built-ins are: email, webhook');
    expect(() => builtinHandler('webhook', { signing_secret: 'x' })).toThrow('unknown webhook option "signing_secret"');
    expect(() => builtinHandler('webhook', { timeout: 'soon' })).toThrow('timeout must be milliseconds or a duration');
    expect(() => builtinHandler('webhook', { blockPrivateAddresses: 'yes' })).toThrow('must be true or false');
  });
});
