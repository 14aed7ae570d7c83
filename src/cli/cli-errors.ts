import { FlexqError, InvalidJobStateError, JobNotFoundError } from '../engine/errors.js';
import type { ShownStatus } from '../shared/shown-status.js';

/**
 * A command line that names something the config does not have (an unknown `--queue`): a usage
 * error, exit code 2, although it can only be told once the config is read.
 */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

/** What each engine operation the CLI calls was doing, in the words of someone running flexq. */
const OPERATION_TEXT: Readonly<Record<string, string>> = {
  cancelJob: 'cannot cancel job',
  retryJob: 'cannot retry job',
  setPriority: 'cannot change the priority of job',
  push: 'cannot dispatch the job',
  pushDelayed: 'cannot dispatch the job',
  pushBulk: 'cannot dispatch the jobs',
  listJobs: 'cannot list jobs',
  connect: 'cannot connect',
};

/** Why a job in that status does not qualify, per operation. */
const STATE_HINT: Readonly<Record<string, string>> = {
  cancelJob: 'only waiting or running jobs can be cancelled',
  retryJob: 'only failed or cancelled jobs can be retried',
  setPriority: 'only waiting jobs (pending, delayed or retrying) can be re-prioritised',
};

/**
 * The message the CLI prints for an error (after "flexq: "). The engine's messages start with the
 * name of the method that failed ("cancelJob: …"), which means nothing to someone at a shell, so
 * they are re-worded from the error's `code` and `operation`; the engine's own text stays as it is
 * for library users.
 */
export function userMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (!(error instanceof FlexqError)) return error.message;
  const action = OPERATION_TEXT[error.operation];
  if (error instanceof InvalidJobStateError) return jobStateMessage(error, error.status);
  if (error instanceof JobNotFoundError) {
    return `${action ?? `cannot ${error.operation}`} ${error.jobId}: ${withoutOperation(error).replace(`job ${error.jobId} `, '')}`;
  }
  // Connection errors already say what they could not reach and where.
  if (error.code === 'CONNECTION' || action === undefined) return withoutOperation(error);
  return `${action}: ${withoutOperation(error)}`;
}

/**
 * A refusal for the job's state, naming the state as `show` does (`shown`: `delayed` for a stored
 * `pending` job not yet due), with what would qualify.
 */
export function jobStateMessage(error: InvalidJobStateError, shown: ShownStatus): string {
  const hint = STATE_HINT[error.operation];
  return `${OPERATION_TEXT[error.operation] ?? `cannot ${error.operation}`} ${error.jobId}: it is ${shown}${hint === undefined ? '' : `; ${hint}`}`;
}

function withoutOperation(error: FlexqError): string {
  const prefix = `${error.operation}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}
