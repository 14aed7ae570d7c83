/** Child processes for the process-level engine tests: spawn, read their lines, stop them by pid. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { waitFor } from '../helpers.js';

const DIST = new URL('../../dist/index.js', import.meta.url);

/** The fixtures import the built package; `npm test` builds it first. */
export function requireBuild(): void {
  if (!existsSync(DIST)) throw new Error('dist/index.js is missing: run `npm run build` before these tests');
}

/** A spawned process with every stdout line it printed so far and its exit, once it has exited. */
export interface Child {
  process: ChildProcess;
  lines: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** Waits for a stdout line matching `pattern` and returns it. */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` (by pid) unless it has exited, then waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startChild(command: string, args: string[], env: Record<string, string> = {}): Child {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let done = false;
  createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
  child.stderr!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolve({ code, signal });
    });
    child.once('error', () => {
      done = true;
      resolve({ code: null, signal: null });
    });
  });
  return {
    process: child,
    lines,
    exited,
    hasExited: () => done,
    line: (pattern, timeoutMs = 15_000) =>
      // The child runs dist/, which mutation runs leave alone: its lines come at their own pace.
      waitFor(`a line matching ${pattern} from ${command}`, () => lines.find((l) => pattern.test(l)), { timeoutMs, intervalMs: 20, scaled: false }),
    stop: async (signal = 'SIGTERM') => {
      if (!done && child.pid !== undefined) process.kill(child.pid, signal);
      await exited;
    },
  };
}

