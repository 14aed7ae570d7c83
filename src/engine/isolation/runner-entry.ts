/**
 * The body of a thread or child process that runs one isolated handler, one job at a time: it
 * loads the handler module once, then runs each job it is sent with a signal, a logger and
 * progress that reach the worker through messages. The worker kills it when a handler does not
 * return in time after its signal aborted; nothing here needs to cooperate for that.
 */
import { parentPort } from 'node:worker_threads';
import { pino } from 'pino';
import { loadHandlerModule } from '../../handlers/loader.js';
import { PermanentError } from '../handler.js';
import type { Handler, JobContext, JobResult } from '../types.js';
import type { FromRunner, ToRunner } from './protocol.js';

const send = (message: FromRunner): void => {
  if (parentPort) parentPort.postMessage(message);
  else process.send!(message);
};
const onMessage = (listener: (message: ToRunner) => void): void => {
  if (parentPort) parentPort.on('message', listener);
  else process.on('message', listener as (message: unknown) => void);
};

// Every line goes to the worker, which writes it through the job's own logger.
const logger = pino({ level: 'trace', base: null, timestamp: false }, { write: (line: string) => send({ t: 'log', line }) });
let handler: Handler | undefined;
let controller: AbortController | undefined;
let progressSeq = 0;
const progressWaits = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();

function progress(value: unknown): Promise<void> {
  const seq = ++progressSeq;
  return new Promise((resolve, reject) => {
    progressWaits.set(seq, { resolve, reject });
    send({ t: 'progress', seq, value });
  });
}

async function run(job: Parameters<Handler['handle']>[1]): Promise<void> {
  controller = new AbortController();
  const ctx: JobContext = { signal: controller.signal, logger, progress };
  try {
    const result: JobResult = await handler!.handle(ctx, job);
    try {
      send({ t: 'done', result });
    } catch (error) {
      send({ t: 'failed', message: `handler result could not be sent from its ${parentPort ? 'thread' : 'process'}: ${(error as Error).message}`, permanent: true });
    }
  } catch (error) {
    const permanent = error instanceof PermanentError || (error as Error | undefined)?.name === 'PermanentError';
    send({ t: 'failed', message: error instanceof Error ? error.message : String(error), permanent });
  }
}

// A child process whose worker went away (killed, crashed) ends too, when its loop is free to see it.
if (!parentPort) process.on('disconnect', () => process.exit(1));

onMessage((message) => {
  switch (message.t) {
    case 'init': {
      const { type, module, options, baseDir, exportName } = message.spec;
      loadHandlerModule(type, module, options, baseDir, exportName).then(
        (loaded) => {
          handler = loaded;
          send({ t: 'ready' });
        },
        (error: unknown) => send({ t: 'loadError', message: error instanceof Error ? error.message : String(error) }),
      );
      break;
    }
    case 'run':
      void run(message.job);
      break;
    case 'abort': {
      const reason = Object.assign(new Error(message.message), { name: 'JobAbortedError', kind: message.kind });
      controller?.abort(reason);
      break;
    }
    case 'progressAck': {
      const wait = progressWaits.get(message.seq);
      progressWaits.delete(message.seq);
      if (message.error === undefined) wait?.resolve();
      else wait?.reject(new Error(message.error));
      break;
    }
  }
});
