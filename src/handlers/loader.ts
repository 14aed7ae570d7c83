import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { handlerFunc } from '../engine/handler.js';
import { fileProblem } from '../shared/file-problem.js';
import type { Handler, HandlerFunction } from '../engine/types.js';

/** The config table of a handler in `flexq.toml`, passed to a module's `createHandler`. */
export type HandlerConfig = Record<string, unknown>;

/** Raised when a handler module cannot be turned into a `Handler`; names the job type and resolved path. */
export class HandlerLoadError extends Error {
  override readonly name = 'HandlerLoadError';
  constructor(
    readonly jobType: string,
    readonly modulePath: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`handler for job type "${jobType}" (${modulePath}): ${problem}`, options);
  }
}

function isHandlerObject(value: unknown): value is Handler {
  return typeof value === 'object' && value !== null && typeof (value as { handle?: unknown }).handle === 'function';
}

/** A Handler object as is, a plain function wrapped; anything else is undefined. */
function asHandler(value: unknown): Handler | undefined {
  if (isHandlerObject(value)) return value;
  if (typeof value === 'function') return handlerFunc(value as HandlerFunction);
  return undefined;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object without a handle() method (keys: ${Object.keys(value).join(', ') || 'none'})`;
  return `a ${typeof value}`;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A bare name (`pdf-handler`, `@acme/handlers/report`) that is no file is a package, found from `baseDir`. */
function isPackageName(modulePath: string): boolean {
  return !modulePath.startsWith('.') && !modulePath.startsWith('file:') && !isAbsolute(modulePath) && !/\.[cm]?js$/.test(modulePath);
}

function resolvePackage(jobType: string, name: string, baseDir: string): string {
  try {
    return createRequire(join(baseDir, 'flexq.toml')).resolve(name);
  } catch (err) {
    throw new HandlerLoadError(jobType, name, `no such file, and no package of that name found from ${baseDir}: ${errorMessage(err)}`, { cause: err });
  }
}

async function resolveModuleFile(jobType: string, modulePath: string, baseDir: string): Promise<string> {
  const path = modulePath.startsWith('file:') ? fileURLToPath(modulePath) : isAbsolute(modulePath) ? modulePath : resolve(baseDir, modulePath);
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && isPackageName(modulePath)) return resolvePackage(jobType, modulePath, baseDir);
    throw new HandlerLoadError(jobType, path, `cannot read the module file: ${fileProblem(err)}`, { cause: err });
  }
  if (!isFile) throw new HandlerLoadError(jobType, path, 'module path is not a file');
  return path;
}

/**
 * Loads a user handler module for `flexq.toml` and returns its `Handler`.
 *
 * `modulePath` is a file path (relative paths resolve against `baseDir`, by default the current
 * directory; usually the directory of `flexq.toml`), a `file:` URL, or a package name found from
 * `baseDir`. The module is imported as an ES module (CommonJS through Node's interop). With
 * `exportName`, that named export is the handler (a `Handler` object or a handler function);
 * otherwise this rule applies, in this order:
 *
 * 1. A named export `createHandler(config)` is a factory: it is called (and awaited) with the
 *    handler's config table and must return a `Handler` object or a handler function.
 * 2. Otherwise the default export is the handler: an object with a `handle(ctx, job)` method,
 *    or a plain function `(ctx, job) => JobResult`. A default-exported function is always the
 *    handler itself, never a factory; a module that needs its config exports `createHandler`.
 *
 * A non-empty `config` for a module without `createHandler` is an error, because nothing would
 * read it (most likely a typo or a module that forgot to export its factory).
 * Every failure is a `HandlerLoadError` naming the job type and the resolved path.
 */
export async function loadHandlerModule(
  jobType: string,
  modulePath: string,
  config: HandlerConfig = {},
  baseDir: string = process.cwd(),
  exportName = 'default',
): Promise<Handler> {
  const path = await resolveModuleFile(jobType, modulePath, baseDir);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    const ext = extname(path);
    // Node 20 cannot import TypeScript; say so rather than leave a bare "Unknown file extension".
    const hint = ['.ts', '.mts', '.cts', '.tsx'].includes(ext) ? ' (Node cannot import TypeScript directly: compile the module to .js)' : '';
    throw new HandlerLoadError(jobType, path, `module failed to import: ${errorMessage(err)}${hint}`, { cause: err });
  }

  if (exportName !== 'default') {
    const handler = asHandler(namespace[exportName]);
    if (handler) return handler;
    throw new HandlerLoadError(jobType, path, exportName in namespace
      ? `its export "${exportName}" is ${describeValue(namespace[exportName])}; expected a Handler object or a handler function`
      : `it has no export "${exportName}" (exports: ${Object.keys(namespace).join(', ') || 'none'})`);
  }

  const factory = namespace['createHandler'];
  if (factory !== undefined) {
    if (typeof factory !== 'function') throw new HandlerLoadError(jobType, path, `createHandler export is ${describeValue(factory)}, not a function`);
    let made: unknown;
    try {
      made = await (factory as (config: HandlerConfig) => unknown)(config);
    } catch (err) {
      throw new HandlerLoadError(jobType, path, `createHandler(config) threw: ${errorMessage(err)}`, { cause: err });
    }
    const handler = asHandler(made);
    if (!handler) {
      throw new HandlerLoadError(jobType, path, `createHandler(config) returned ${describeValue(made)}; expected a Handler object or a handler function`);
    }
    return handler;
  }

  const exportNames = Object.keys(namespace);
  if (Object.keys(config).length > 0) {
    throw new HandlerLoadError(jobType, path, `a config table was given but the module exports no createHandler(config) to receive it (exports: ${exportNames.join(', ') || 'none'})`);
  }
  const handler = asHandler(namespace['default']);
  if (handler) return handler;
  const found = 'default' in namespace ? `its default export is ${describeValue(namespace['default'])}` : `it has no default export (exports: ${exportNames.join(', ') || 'none'})`;
  throw new HandlerLoadError(
    jobType,
    path,
    `no usable export: ${found}; export default a Handler object or a (ctx, job) => JobResult function, or export createHandler(config)`,
  );
}
