/**
 * The layout of the data under a prefix (the job record of lua/includes/lib.lua above all) has a
 * number, kept at `<prefix>:format`. A build that read another layout would take its waiting jobs
 * for stale entries and drop them, so a queue refuses to connect to a prefix written in another.
 */
import type { RedisClient } from './connection.js';
import { FlexqError, isPermissionRefusal } from './errors.js';
import { formatKey, registryKey } from './keys.js';

/** Raise it with every change to how records or keys are laid out. */
export const DATA_FORMAT = '3';

/**
 * Checks the prefix's data format, marking a prefix that holds no queues yet as this build's. A
 * Redis user that may not read or write the mark (a read-only ACL) is not checked.
 */
export async function checkDataFormat(client: RedisClient, prefix: string): Promise<void> {
  let found: string | null;
  try {
    let registered: number;
    [found, registered] = await Promise.all([client.get(formatKey(prefix)), client.exists(registryKey(prefix))]);
    // A prefix without queues is this build's to mark.
    if (found === null && registered === 0) found = await client.set(formatKey(prefix), DATA_FORMAT, 'NX', 'GET') ?? DATA_FORMAT;
  } catch (err) {
    if (isPermissionRefusal(err)) return;
    throw err;
  }
  if (found === DATA_FORMAT) return;
  const written = found === null ? 'a flexq build from before data formats were numbered' : `data format ${found}`;
  throw new FlexqError('BAD_STATE', 'connect', `the queues under prefix "${prefix}" hold ${written}; this build reads format ${DATA_FORMAT}. `
    + 'Let the build that wrote them work off their jobs and delete the prefix\'s keys, or use another prefix');
}
