import type { RunCommand } from '../cli/cli-commands.js';
import { configOptions, loadConfig } from '../config/config.js';
import type { HostMode } from './handler-setup.js';
import { createHostLogger } from './logger.js';
import { routeClientWarnings } from '../shared/client-warnings.js';
import { redisForCommand, redisForHost } from '../config/redis-target.js';
import type { CliIo } from '../cli/run-cli.js';
import { watchShutdownSignals } from './shutdown-signals.js';
import { WorkerHost } from './worker-host.js';

/**
 * `flexq` and `flexq --headless`: hosts the worker pool until the user quits the console or a
 * signal (SIGINT, SIGTERM, SIGHUP) arrives, then stops gracefully; resolves to the exit code. A
 * second signal, or Ctrl-C again in the console while it waits, exits at once with code 1.
 */
export async function runHost(command: RunCommand, io: CliIo): Promise<number> {
  const mode: HostMode = command.headless ? 'headless' : 'console';
  // Without a terminal Ink cannot read keys, and the host would run its workers where no key and no
  // signal handler (the console's) can stop them, as under systemd without --headless.
  if (mode === 'console' && !(process.stdin.isTTY && process.stdout.isTTY)) {
    io.stderr.write(`flexq: the console needs a terminal, and ${process.stdin.isTTY ? 'stdout' : 'stdin'} is not one; run \`flexq --headless\` to host the workers as a service (logs on stdout), or \`flexq stats\` and \`flexq jobs\` to look\n`);
    return 2;
  }
  const config = await loadConfig(configOptions(io, command));
  const { logger, ring, flush, close: closeLog } = createHostLogger(config.logging, mode, config.redact);
  const restoreWarnings = routeClientWarnings((message) => logger.warn({ source: 'redis client' }, message));
  // A console without workers looks at a Redis that exists (or the embedded one a host here runs); it starts none.
  const target = command.noWorkers ? await redisForCommand(config, io.env, io.cwd) : await redisForHost(config, io.env, io.cwd);
  // The forced way out, after a graceful stop was asked for: a second signal, or Ctrl-C pressed again
  // in the console while it waits for running jobs.
  const exitNow = (why: string): never => {
    logger.error({ reason: why }, `${why}: exiting now; running jobs run again once their lease expires`);
    target.embedded?.killNow();
    flush();
    process.exit(1);
  };
  // While the console is open, a second signal closes it first, so that it restores the terminal.
  let onSecondSignal = (signal: NodeJS.Signals): void => exitNow(`second ${signal}`);
  const signals = watchShutdownSignals((signal) => onSecondSignal(signal));
  let host: WorkerHost | undefined;
  try {
    if (target.embedded) {
      const { addr, dataDir, pid } = target.embedded;
      logger.info({ addr, dataDir, redisPid: pid }, `no Redis configured and none answering: started redis-server at ${addr} (data in ${dataDir}); it stops when flexq exits`);
    }
    host = await WorkerHost.start({
      config, mode, target, logger, readOnly: command.readOnly, noWorkers: command.noWorkers, ...(ring === undefined ? {} : { logs: ring }),
    });
    const stopping = signals.first.then((signal) => {
      logger.info({ signal }, `${signal} received: stopping gracefully (send it again to exit at once)`);
      return signal;
    });
    if (mode === 'headless') {
      await stopping;
    } else {
      // Loaded only here, so one-shot commands and --headless never load the console's UI stack.
      const { openConsole } = await import('../tui/index.js');
      // A signal quits the console the way `q` does: it waits for running jobs, then Ink restores the
      // terminal. Stopping the host under a running console would leave it drawing a lost Redis.
      const stop = new AbortController();
      const force = new AbortController();
      void stopping.then((signal) => stop.abort(signal));
      onSecondSignal = (signal) => force.abort(signal);
      const end = await openConsole(host, { readOnly: command.readOnly, redact: config.redact, stop: stop.signal, force: force.signal });
      onSecondSignal = (signal) => exitNow(`second ${signal}`);
      if (end === 'forced') exitNow(force.signal.aborted ? `second ${String(force.signal.reason)}` : 'Ctrl-C while quitting');
    }
    await host.stop();
    return 0;
  } finally {
    await host?.stop();
    if (target.embedded) {
      await target.embedded.stop();
      logger.info({ redisPid: target.embedded.pid }, 'embedded redis-server stopped');
    }
    signals.dispose();
    restoreWarnings();
    await closeLog();
  }
}
