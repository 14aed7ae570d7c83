/** Worker processes of a chaos scenario (chaos/worker-process.mjs): start, wait ready, kill. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./worker-process.mjs', import.meta.url));

/** The chaos worker imports the built package. */
export function requireBuild(): void {
  if (!existsSync(new URL('../dist/index.js', import.meta.url))) throw new Error('dist/ is missing: run `npm run build` first');
}

export interface WorkerProcess {
  pid: number;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  alive(): boolean;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts a worker process and resolves once it is claiming. */
export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(process.execPath, [SCRIPT], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    gone = true;
    resolve();
  }));
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => line === 'READY' && resolve());
    void exited.then(() => reject(new Error('a chaos worker process exited before it was ready')));
  });
  return {
    pid: child.pid!,
    exited,
    alive: () => !gone,
    kill: async (signal) => {
      if (!gone) child.kill(signal);
      await exited;
    },
  };
}
