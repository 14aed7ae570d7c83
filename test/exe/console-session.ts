/**
 * The built `flexq` console in a tmux pane (100×30) for process-level tests: a temp folder with a
 * config, a fresh key prefix, and everything undone by `cleanup()` after the test.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deletePrefix, uniquePrefix, waitFor } from '../helpers.js';
import { FLEXQ_BIN, processAlive, redisEnv, tempFolder } from './helpers.js';
import { afterEach, beforeAll } from 'vitest';
import { TmuxTerminal, tmuxAvailable } from './tmux-terminal.js';

/**
 * Jobs sleep far longer than a test runs, so they are still running when the keys arrive; the short
 * shutdown timeout hands the ones still running back at quit instead of waiting them out.
 */
export const CONFIG = `shutdownTimeout = "1s"

[logging]
file = "flexq.log"

[metrics]
enabled = false

[queues.default]
concurrency = 2
pollTime = "200ms"

[handlers.demo]
builtin = "sleep"
options = { ms = 20000 }
`;

/** A running console and what the test needs to look at it. */
export interface ConsoleSession {
  terminal: TmuxTerminal;
  prefix: string;
  dir: string;
}

const cleanups: (() => Promise<void>)[] = [];

/** Undoes every console session started since the last call (for `afterEach`). */
export async function cleanupSessions(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** Something a test made besides its sessions (a queue handle, say), undone with them, first. */
export function onCleanup(cleanup: () => Promise<void>): void {
  cleanups.push(cleanup);
}

/** For a test file of console sessions: tmux must be there, and each test's sessions are undone after it. */
export function useConsoleSessions(): void {
  beforeAll(async () => {
    if (!(await tmuxAvailable())) throw new Error('tmux is not installed: the console pty tests need it (.ci/run installs it)');
  });
  afterEach(cleanupSessions);
}

/** Starts `flexq ARGS --config …` in a tmux pane under a fresh prefix. */
export async function startConsole(options: { env?: Record<string, string>; args?: string[]; config?: string } = {}): Promise<ConsoleSession> {
  const prefix = uniquePrefix('pty');
  const folder = await tempFolder(options.config ?? CONFIG);
  cleanups.push(async () => { await folder.remove(); await deletePrefix(prefix); });
  const terminal = new TmuxTerminal(folder.dir, 100, 30);
  cleanups.push(async () => {
    const pid = (await terminal.exitStatus()) === null ? await flexqPid(folder.dir).catch(() => null) : null;
    await terminal.kill();
    // The session's end hangs up on flexq, which then stops gracefully: wait for it, so its last
    // Redis writes land before the prefix is deleted.
    if (pid !== null) await waitFor(`flexq (pid ${pid}) to exit`, () => !processAlive(pid), { timeoutMs: 10_000 }).catch(() => {});
  });
  await terminal.start([process.execPath, FLEXQ_BIN, ...(options.args ?? []), '--config', join(folder.dir, 'flexq.toml')], {
    cwd: folder.dir, env: redisEnv(prefix, options.env ?? {}),
  });
  return { terminal, prefix, dir: folder.dir };
}

/** flexq's own pid, from its log file (pino writes `pid` on every line; the file is written asynchronously). */
export function flexqPid(dir: string): Promise<number> {
  return waitFor('a line in flexq.log', async () => {
    const first = (await readFile(join(dir, 'flexq.log'), 'utf8').catch(() => '')).split('\n')[0] ?? '';
    const pid = first.endsWith('}') ? (JSON.parse(first) as { pid?: unknown }).pid : undefined;
    return typeof pid === 'number' ? pid : null;
  });
}

/** The exit status once flexq has ended; the error carries the screen and the end of flexq.log. */
export async function exitStatus(session: ConsoleSession, timeoutMs: number): Promise<number> {
  try {
    const { status } = await waitFor('flexq to exit', async () => {
      const code = await session.terminal.exitStatus();
      return code === null ? null : { status: code };
    }, { timeoutMs, intervalMs: 50 });
    return status;
  } catch (error) {
    const log = await readFile(join(session.dir, 'flexq.log'), 'utf8').catch(() => '');
    throw new Error(`${(error as Error).message}\n--- screen ---\n${await session.terminal.capture()}\n--- flexq.log ---\n${log.slice(-4000)}`);
  }
}

/** The cells of the queues-table row of `name` on `screen`. */
export function queueRow(screen: string, name: string): string[] {
  const line = screen.split('\n').find((l) => l.trimStart().startsWith(`${name} `));
  return line ? line.trim().split(/\s+/) : [];
}
