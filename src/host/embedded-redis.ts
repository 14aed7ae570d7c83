import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ephemeralPort, portIsFree, redisAnswers } from './redis-probe.js';

/** Folder (under the current one) holding the embedded server's data, log and state file. */
export const EMBEDDED_DATA_DIR = '.flexq';
/** Records where a running embedded server listens, so `flexq stats` & co. in that folder find it. */
const STATE_FILE = 'redis.json';
const LOOPBACK = '127.0.0.1';
/** A fresh server answers in milliseconds; a slow disk replaying a large AOF may take seconds. */
const STARTUP_DEADLINE_MS = 30_000;
/** redis-server writes its AOF and exits on SIGTERM; a large one gets this long before SIGKILL. */
const SHUTDOWN_DEADLINE_MS = 10_000;

/** No `redis-server` on PATH: says what to install or configure instead. */
export class RedisServerMissingError extends Error {
  override readonly name = 'RedisServerMissingError';
  constructor(probed: string) {
    super(
      `nothing answers on ${probed} and no redis-server binary is on PATH to start one.\n` +
        'Install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis), ' +
        'or point flexq at a running Redis with FLEXQ_REDIS_URL=redis://host:6379 or [redis] url in flexq.toml.',
    );
  }
}

/** A redis-server child that flexq started and must stop. */
export interface EmbeddedRedis {
  /** `127.0.0.1:<port>`. */
  addr: string;
  pid: number;
  dataDir: string;
  /** SIGTERM, then waits for the exit (SIGKILL after a deadline). Safe to call twice. */
  stop(): Promise<void>;
  /** SIGTERM without waiting, for a forced exit. */
  killNow(): void;
}

async function findOnPath(binary: string, path: string | undefined): Promise<string | undefined> {
  for (const dir of (path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, binary);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not in this folder; keep looking.
    }
  }
  return undefined;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function logTail(dataDir: string): Promise<string> {
  const text = await readFile(join(dataDir, 'redis.log'), 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-5).join('\n');
}

/**
 * Starts `redis-server` on 127.0.0.1 with its data under `<cwd>/.flexq/` and the append-only
 * file on, preferring `preferredPort` (where nothing answered) and else a free port; resolves once
 * it answers PING.
 */
export async function startEmbeddedRedis(options: { cwd: string; preferredPort: number; probed: string; path: string | undefined }): Promise<EmbeddedRedis> {
  const binary = await findOnPath('redis-server', options.path);
  if (binary === undefined) throw new RedisServerMissingError(options.probed);
  const dataDir = join(options.cwd, EMBEDDED_DATA_DIR);
  await mkdir(dataDir, { recursive: true });
  const port = (await portIsFree(options.preferredPort)) ? options.preferredPort : await ephemeralPort();
  const child = spawn(
    binary,
    ['--bind', LOOPBACK, '--port', String(port), '--dir', dataDir, '--appendonly', 'yes', '--daemonize', 'no', '--logfile', join(dataDir, 'redis.log')],
    // Its own process group: a Ctrl-C in the terminal reaches flexq only, so Redis stays up while
    // running jobs finish and record their outcomes; flexq stops it afterwards.
    { cwd: dataDir, stdio: 'ignore', detached: true },
  );
  const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${binary}: ${(await spawnFailed).message}`);
  const addr = `${LOOPBACK}:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), SHUTDOWN_DEADLINE_MS);
      await exited(child);
      clearTimeout(timer);
      await rm(join(dataDir, STATE_FILE), { force: true });
    })();
    return stopping;
  };
  const deadline = Date.now() + STARTUP_DEADLINE_MS;
  while (!(await redisAnswers({ host: LOOPBACK, port }))) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`redis-server exited before answering on ${addr}:\n${await logTail(dataDir)}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`redis-server did not answer on ${addr} within ${STARTUP_DEADLINE_MS} ms:\n${await logTail(dataDir)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await writeFile(join(dataDir, STATE_FILE), `${JSON.stringify({ pid, addr })}\n`);
  return { addr, pid, dataDir, stop, killNow: () => void child.kill('SIGTERM') };
}

/** The address of an embedded server started by `flexq` in this folder that still answers, if any. */
export async function findRunningEmbeddedRedis(cwd: string): Promise<string | undefined> {
  try {
    const state: unknown = JSON.parse(await readFile(join(cwd, EMBEDDED_DATA_DIR, STATE_FILE), 'utf8'));
    const addr = typeof state === 'object' && state !== null ? (state as { addr?: unknown }).addr : undefined;
    if (typeof addr !== 'string') return undefined;
    const [, port] = addr.split(':');
    return (await redisAnswers({ host: LOOPBACK, port: Number(port) })) ? addr : undefined;
  } catch {
    return undefined;
  }
}
