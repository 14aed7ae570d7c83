/**
 * A handler given by its module (`registerHandler(type, { module, options })`): loaded in this
 * thread, or run isolated in threads or child processes that can be killed (isolated-handler.ts).
 */
import { resolve } from 'node:path';
import { z } from 'zod';
import { loadHandlerModule } from '../../handlers/loader.js';
import { DEFAULTS } from '../defaults.js';
import { ValidationError } from '../errors.js';
import { checkedWhereUsed, checkOptions, optionsSchema } from '../options.js';
import { MAX_TIMER_MS } from '../timers.js';
import type { Handler, JobContext, Job, JobResult, ModuleHandler } from '../types.js';
import { IsolatedHandler } from './isolated-handler.js';

/** Where module handlers run, and how long an isolated one may ignore its signal. */
export interface IsolationSettings {
  isolation: 'none' | 'thread' | 'process';
  killAfter: number;
}

const ISOLATIONS = ['none', 'thread', 'process'];

/** Checks isolation settings (the worker's or a handler's own). */
function checkIsolation(operation: string, given: Partial<IsolationSettings>, fallback: IsolationSettings): IsolationSettings {
  const isolation = given.isolation ?? fallback.isolation;
  const killAfter = given.killAfter ?? fallback.killAfter;
  if (!ISOLATIONS.includes(isolation)) throw new ValidationError(operation, `isolation must be "none", "thread" or "process", got ${JSON.stringify(isolation)}`);
  if (!Number.isInteger(killAfter) || killAfter < 0 || killAfter > MAX_TIMER_MS) {
    throw new ValidationError(operation, `killAfter must be an integer from 0 to ${MAX_TIMER_MS} ms, got ${killAfter}`);
  }
  return { isolation, killAfter };
}

// module, isolation and killAfter are checked below with messages of their own.
const moduleHandlerOptions = optionsSchema({
  module: checkedWhereUsed,
  options: z.record(z.string(), z.unknown()).optional(),
  export: z.string().optional(),
  baseDir: z.string().optional(),
  isolation: checkedWhereUsed,
  killAfter: checkedWhereUsed,
} satisfies Record<keyof ModuleHandler, z.ZodType>);

/** Whether a registered handler is given by its module. */
function isModuleHandler(handler: unknown): handler is ModuleHandler {
  return typeof handler === 'object' && handler !== null && typeof (handler as { module?: unknown }).module === 'string';
}

/** A module handler in this thread: loaded once, on first use (registerHandler cannot wait). */
class InProcessModuleHandler implements Handler {
  private loading?: Promise<Handler>;
  constructor(private readonly type: string, private readonly spec: ModuleHandler) {}

  private load(): Promise<Handler> {
    const { module, options = {}, baseDir = process.cwd(), export: exportName = 'default' } = this.spec;
    return (this.loading ??= loadHandlerModule(this.type, module, options, baseDir, exportName));
  }

  async handle(ctx: JobContext, job: Job): Promise<JobResult> {
    return (await this.load()).handle(ctx, job);
  }
}

/** The handler for a module spec, with its own isolation settings over the worker's. */
export function moduleHandler(type: string, spec: ModuleHandler, workerSettings: IsolationSettings): Handler & { close?(): void } {
  checkOptions('registerHandler', moduleHandlerOptions, spec);
  const { isolation, killAfter } = checkIsolation('registerHandler', spec, workerSettings);
  if (typeof spec.module !== 'string' || spec.module === '') throw new ValidationError('registerHandler', `module of "${type}" must be a non-empty string`);
  if (isolation === 'none') return new InProcessModuleHandler(type, spec);
  const { module, options = {}, baseDir = process.cwd(), export: exportName = 'default' } = spec;
  // The runner resolves the module itself; a relative path is made absolute here, where baseDir means something.
  const path = module.startsWith('.') ? resolve(baseDir, module) : module;
  return new IsolatedHandler({ type, module: path, options, exportName, baseDir }, isolation, killAfter);
}

/** The module handlers of one worker, by job type; closing ends their threads and processes. */
export class ModuleHandlers {
  private readonly settings: IsolationSettings;
  private readonly byType = new Map<string, Handler & { close?(): void }>();

  constructor(given: Partial<IsolationSettings>) {
    this.settings = checkIsolation('RedisWorker', given, { isolation: 'none', killAfter: DEFAULTS.killAfter });
  }

  /**
   * Registers `handler` for `type`, closing the module handler it replaces: the handler to run
   * when it is given by its module, undefined when it is a plain handler.
   */
  replace(type: string, handler: unknown): Handler | undefined {
    const made = isModuleHandler(handler) ? moduleHandler(type, handler, this.settings) : undefined;
    this.byType.get(type)?.close?.();
    this.byType.delete(type);
    if (made) this.byType.set(type, made);
    return made;
  }

  close(): void {
    for (const handler of this.byType.values()) handler.close?.();
  }
}
