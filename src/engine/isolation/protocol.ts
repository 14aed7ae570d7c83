/**
 * The messages between a worker and the thread or child process that runs an isolated handler.
 * Values cross by structured clone (threads) or V8 serialization (processes), so Dates survive.
 */
import type { Job, JobResult } from '../types.js';

/** What the runner needs to load its handler module (as `loadHandlerModule` takes it). */
export interface RunnerSpec {
  type: string;
  module: string;
  options: Record<string, unknown>;
  exportName: string;
  baseDir: string;
}

/** Worker to runner. */
export type ToRunner =
  | { t: 'init'; spec: RunnerSpec }
  | { t: 'run'; job: Job }
  | { t: 'abort'; kind: string; message: string }
  | { t: 'progressAck'; seq: number; error?: string };

/** Runner to worker. */
export type FromRunner =
  | { t: 'ready' }
  | { t: 'loadError'; message: string }
  | { t: 'progress'; seq: number; value: unknown }
  | { t: 'log'; line: string }
  | { t: 'done'; result: JobResult }
  | { t: 'failed'; message: string; permanent: boolean };
