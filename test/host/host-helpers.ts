/** Starts the worker host the way `flexq` does, from flexq.toml text, in this process. */
import { tmpdir } from 'node:os';
import { pino, type Logger } from 'pino';
import type { Env } from '../../src/config/config.js';
import type { HostMode } from '../../src/host/handler-setup.js';
import { redisForHost } from '../../src/config/redis-target.js';
import { WorkerHost } from '../../src/host/worker-host.js';
import { parse } from './config-helpers.js';

/** Hosts started by a test file; `stopHosts` stops them all. */
const started: WorkerHost[] = [];

/** Parses `toml` (with `env`), finds its Redis as `flexq` does and starts the host. */
export async function startHost(toml: string, options: { mode?: HostMode; env?: Env; logger?: Logger; readOnly?: boolean; noWorkers?: boolean } = {}): Promise<WorkerHost> {
  const env = options.env ?? {};
  const config = parse(toml, env);
  const target = await redisForHost(config, env, tmpdir());
  const host = await WorkerHost.start({ config, mode: options.mode ?? 'headless', target, logger: options.logger ?? pino({ level: 'silent' }), readOnly: options.readOnly ?? false, noWorkers: options.noWorkers ?? false });
  started.push(host);
  return host;
}

/** Stops every host `startHost` made, handing running jobs back at once. */
export async function stopHosts(): Promise<void> {
  await Promise.all(started.splice(0).map((host) => host.stop(100)));
}
