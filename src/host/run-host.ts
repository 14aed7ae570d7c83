import type { RunCommand } from './cli-commands.js';
import { loadConfig } from './config.js';
import type { HostMode } from './handler-setup.js';
import { createHostLogger } from './logger.js';
import { redisForHost } from './redis-target.js';
import type { CliIo } from './run-cli.js';
import { watchShutdownSignals } from './shutdown-signals.js';
import { WorkerHost } from './worker-host.js';

/**
 * `flexq` and `flexq --headless`: hosts the worker pool until the user quits the console or a
 * signal arrives, then stops gracefully; resolves to the exit code. A second signal exits at once
 * with code 1.
 */
export async function runHost(command: RunCommand, io: CliIo): Promise<number> {
  const mode: HostMode = command.headless ? 'headless' : 'console';
  const config = await loadConfig({ ...(command.configPath === undefined ? {} : { path: command.configPath }), cwd: io.cwd, env: io.env });
  const { logger, ring, flush } = createHostLogger(config.logging, mode);
  const target = await redisForHost(config, io.env, io.cwd);
  const signals = watchShutdownSignals((signal) => {
    logger.error({ signal }, `second ${signal}: exiting now; running jobs run again once their lease expires`);
    target.embedded?.killNow();
    flush();
    process.exit(1);
  });
  let host: WorkerHost | undefined;
  try {
    if (target.embedded) {
      const { addr, dataDir, pid } = target.embedded;
      logger.info({ addr, dataDir, redisPid: pid }, `no Redis configured and none answering: started redis-server at ${addr} (data in ${dataDir}); it stops when flexq exits`);
    }
    host = await WorkerHost.start({ config, mode, target, logger, ...(ring === undefined ? {} : { logs: ring }) });
    if (mode === 'headless') {
      const signal = await signals.first;
      logger.info({ signal }, `${signal} received: stopping gracefully (send it again to exit at once)`);
    } else {
      // Loaded only here, so one-shot commands and --headless never load the console's UI stack.
      const { openConsole } = await import('../tui/index.js');
      await Promise.race([openConsole(host, { readOnly: command.readOnly, redact: config.redact }), signals.first]);
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
    flush();
  }
}
