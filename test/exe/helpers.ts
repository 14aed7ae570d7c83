import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { REDIS_URL, deletePrefix, uniquePrefix, waitFor } from '../helpers.js';

export { freePort } from '../helpers.js';

/** The built executable (the bundle package.json's `bin` names); `npm test` builds it first. */
export const FLEXQ_BIN = fileURLToPath(new URL('../../dist/bin/flexq.js', import.meta.url));

/** What a finished run printed and how it ended. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a child: PATH and HOME of this process, no inherited FLEXQ_* variables, then
 * `extra` (undefined values are left out).
 */
export function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME']) if (process.env[name] !== undefined) env[name] = process.env[name]!;
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

/** The env that points a child at the test Redis under `prefix`. */
export function redisEnv(prefix: string, extra: Record<string, string | undefined> = {}): Record<string, string> {
  return childEnv({ FLEXQ_REDIS_URL: REDIS_URL, FLEXQ_REDIS_PREFIX: prefix, ...extra });
}

/** Runs `flexq ARGS` to completion (at most `timeoutMs`, then it is killed); `input` is written to its stdin. */
export function runFlexq(args: readonly string[], options: { env: Record<string, string>; cwd: string; timeoutMs?: number; input?: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLEXQ_BIN, ...args], { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    // Closed at once without input: a child that reads stdin sees its end, as with /dev/null.
    child.stdin.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running `flexq` child whose output is collected as it comes. */
export class FlexqProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(args: readonly string[], options: { env: Record<string, string>; cwd: string }) {
    this.child = spawn(process.execPath, [FLEXQ_BIN, ...args], { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** stdout parsed as pino JSON lines (other lines skipped). */
  logLines(): Record<string, unknown>[] {
    return this.stdout.split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** Waits for a JSON log line whose `msg` matches. */
  waitForLog(pattern: RegExp, timeoutMs = 15_000): Promise<Record<string, unknown>> {
    return waitFor(`a log line matching ${pattern} (stdout so far: ${this.stdout.slice(-500)}; stderr: ${this.stderr.slice(-500)})`,
      () => this.logLines().find((line) => pattern.test(String(line['msg']))), { timeoutMs, intervalMs: 25 });
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Kills the child if it still runs (test cleanup). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}


/** A fresh temp folder, with flexq.toml when `config` is given; `remove` deletes it. */
export async function tempFolder(config?: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'flexq-exe-'));
  if (config !== undefined) await writeFile(join(dir, 'flexq.toml'), config);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** True while a process with that pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** GET on the loopback listener; never rejects on an HTTP status. */
export async function httpGet(url: string): Promise<{ status: number; body: string; contentType: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') ?? '' };
}

/** What a test of the headless host works with; set afresh for each test by `useHeadlessHost`. */
export interface HeadlessSurroundings {
  prefix: string;
  /** A temp folder holding the test's flexq.toml. */
  dir: string;
  /** The queue `default` under the prefix, for checking what the host did. */
  queue: RedisQueue;
  /** The host the test started, if any: killed after the test. */
  host?: FlexqProcess;
}

/** Gives each test of the file a fresh prefix, a folder with `config`, and a queue; undoes them after. */
export function useHeadlessHost(label: string, config: string): HeadlessSurroundings {
  const surroundings = {} as HeadlessSurroundings;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    surroundings.prefix = uniquePrefix(label);
    ({ dir: surroundings.dir, remove } = await tempFolder(config));
    surroundings.queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix: surroundings.prefix });
  });
  afterEach(async () => {
    await surroundings.host?.kill();
    surroundings.host = undefined;
    await surroundings.queue.close();
    await deletePrefix(surroundings.prefix);
    await remove();
  });
  return surroundings;
}
