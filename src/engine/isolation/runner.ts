/**
 * One thread or child process running an isolated handler (runner-entry.ts), seen from the worker:
 * start it, run a job on it, pass an abort on, kill it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Job, JobResult } from '../types.js';
import type { FromRunner, RunnerSpec, ToRunner } from './protocol.js';

const ENTRY = new URL('./runner-entry.js', import.meta.url);

/** Where isolated handlers run. */
export type IsolationKind = 'thread' | 'process';

/** What a run reports while it goes on. */
export interface RunHooks {
  progress(value: unknown): Promise<void>;
  log(line: string): void;
}

/** A failure a handler reported (thrown or rejected), as the worker judges it. */
export interface RunFailure {
  message: string;
  permanent: boolean;
}

interface CurrentRun {
  hooks: RunHooks;
  resolve: (settled: { result: JobResult } | { failure: RunFailure }) => void;
  reject: (error: Error) => void;
}

export class Runner {
  /** Resolves once the handler module is loaded; rejects with the load error. */
  readonly ready: Promise<void>;
  private readonly thread?: Worker;
  private readonly child?: ChildProcess;
  private current?: CurrentRun;
  private gone = false;
  private settleReady!: (error?: Error) => void;

  constructor(readonly kind: IsolationKind, spec: RunnerSpec, private readonly onGone: (runner: Runner) => void) {
    this.ready = new Promise<void>((resolve, reject) => (this.settleReady = (error) => (error ? reject(error) : resolve())));
    this.ready.catch(() => {}); // awaited by whoever runs a job on it
    const onMessage = (message: FromRunner) => this.receive(message);
    if (kind === 'thread') {
      this.thread = new Worker(ENTRY, { stdout: false, stderr: false });
      this.thread.on('message', onMessage);
      this.thread.on('error', (error) => this.exited(`its thread failed: ${error.message}`));
      this.thread.on('exit', (code) => this.exited(`its thread exited (code ${code})`));
    } else {
      this.child = fork(fileURLToPath(ENTRY), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      this.child.on('message', onMessage as (message: unknown) => void);
      this.child.on('error', (error) => this.exited(`its process failed: ${error.message}`));
      this.child.on('exit', (code, signal) => this.exited(`its process exited (${signal ?? `code ${code}`})`));
    }
    // Busy (loading, running) it keeps the process alive; idle it does not hold a stopping one.
    void this.ready.then(() => this.hold(false), () => {});
    this.send({ t: 'init', spec });
  }

  private hold(busy: boolean): void {
    if (this.gone) return;
    if (this.thread) {
      if (busy) this.thread.ref();
      else this.thread.unref();
    } else if (busy) {
      this.child!.ref();
      this.child!.channel?.ref();
    } else {
      this.child!.unref();
      this.child!.channel?.unref();
    }
  }

  private send(message: ToRunner): void {
    if (this.gone) return;
    if (this.thread) this.thread.postMessage(message);
    else this.child!.send(message);
  }

  /** Runs one job; resolves to the handler's result or reported failure, rejects if the runner dies. */
  run(job: Job, hooks: RunHooks): Promise<{ result: JobResult } | { failure: RunFailure }> {
    this.hold(true);
    return new Promise<{ result: JobResult } | { failure: RunFailure }>((resolve, reject) => {
      this.current = { hooks, resolve, reject };
      this.send({ t: 'run', job });
    }).finally(() => this.hold(false));
  }

  /** Aborts the running handler's signal. */
  abort(kind: string, message: string): void {
    this.send({ t: 'abort', kind, message });
  }

  /** Terminates the thread or process at once, whatever its handler is doing. */
  kill(): void {
    if (this.gone) return;
    if (this.thread) void this.thread.terminate();
    else this.child!.kill('SIGKILL');
    this.exited('it was killed');
  }

  private receive(message: FromRunner): void {
    const current = this.current;
    switch (message.t) {
      case 'ready':
        this.settleReady();
        break;
      case 'loadError':
        this.settleReady(new Error(message.message));
        this.kill();
        break;
      case 'log':
        current?.hooks.log(message.line);
        break;
      case 'progress':
        if (!current) break;
        current.hooks.progress(message.value).then(
          () => this.send({ t: 'progressAck', seq: message.seq }),
          (error: unknown) => this.send({ t: 'progressAck', seq: message.seq, error: (error as Error).message }),
        );
        break;
      case 'done':
        this.current = undefined;
        current?.resolve({ result: message.result });
        break;
      case 'failed':
        this.current = undefined;
        current?.resolve({ failure: { message: message.message, permanent: message.permanent } });
        break;
    }
  }

  private exited(why: string): void {
    if (this.gone) return;
    this.gone = true;
    this.settleReady(new Error(`the handler's ${this.kind} ended before its module loaded: ${why}`));
    const current = this.current;
    this.current = undefined;
    current?.reject(new Error(`handler ${this.kind} ended before the handler returned: ${why}`));
    this.onGone(this);
  }
}
