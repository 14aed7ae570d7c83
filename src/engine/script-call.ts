// Calling one script of the function library: FCALL(_RO), WAIT for a replica, refusals as typed errors.
import type { RedisClient } from './connection.js';
import { SCRIPT_KEYS, functionName, isReadOnly, loadScripts, type ScriptName } from './library.js';
import { DEFAULTS } from './defaults.js';
import { NotReplicatedError, PermissionError, RedisFullError, isPermissionRefusal } from './errors.js';
import { keysFor, type QueueKeys } from './keys.js';

/** Told when Redis had forgotten flexq's functions and they were loaded again (see callScript). */
type ReloadListener = () => void;
const reloadListeners = new Set<ReloadListener>();

/**
 * Hears of every reload of the function library in this process: Redis came back without it, so
 * without its data (a restart without persistence). Returns the function that stops listening.
 */
export function onLibraryReloaded(listener: ReloadListener): () => void {
  reloadListeners.add(listener);
  return () => reloadListeners.delete(listener);
}

/**
 * Runs one script of one queue, its keys named by SCRIPT_KEYS. `replicated`: the call and a
 * `WAIT 1` go in one pipeline, so they reach the same node together and, after a reconnect, are
 * sent again together: the wait then covers the call as the new primary ran it (a WAIT sent apart
 * after a failover would confirm nothing of it).
 */
export async function callScript(client: RedisClient, queueKeys: QueueKeys, name: ScriptName, args: (string | number)[], replicated = false): Promise<unknown> {
  const keys = keysFor(queueKeys, SCRIPT_KEYS[name]);
  // One array argument (ioredis flattens it): spreading a large batch would overflow the stack.
  const command = [functionName(name), keys.length, ...keys, ...args];
  // Reads go as FCALL_RO, which a read-only Redis user may run (and a replica would serve).
  const fcall = isReadOnly(name) ? 'fcall_ro' : 'fcall';
  const run = async (): Promise<unknown> => {
    if (!replicated) return client.call(fcall, command);
    const replies = (await client.pipeline().call(fcall, command).call('wait', 1, DEFAULTS.replicationTimeout).exec())!;
    const [[callError, reply], [waitError, replicas]] = replies as [[Error | null, unknown], [Error | null, number]];
    if (callError) throw callError;
    if (waitError) throw waitError;
    if (Number(replicas) < 1) throw new NotReplicatedError(name, DEFAULTS.replicationTimeout);
    return reply;
  };
  try {
    return await run();
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('OOM')) throw new RedisFullError(name, err);
    if (isPermissionRefusal(err)) throw new PermissionError(name, err);
    // A Redis restarted without persistence has forgotten the library: load it again, once.
    if (!(err instanceof Error) || !/function not found/i.test(err.message)) throw err;
    await loadScripts(client).catch((loadErr: unknown) => {
      throw isPermissionRefusal(loadErr) ? new PermissionError(`load flexq's function library for ${name}`, loadErr) : loadErr;
    });
    for (const listener of reloadListeners) listener();
    return run();
  }
}
