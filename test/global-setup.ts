/**
 * Vitest global setup. Every change to the Lua code loads a new `flexq_<hash>` function library
 * into the test Redis; the teardown deletes the one this run loaded, so they do not pile up.
 * Other `flexq_*` libraries (left by earlier versions of the code) are deleted only when REDIS_URL
 * names the Redis explicitly, i.e. a Redis dedicated to tests; a machine's own Redis on the default
 * address may hold libraries that other flexq installations use. No other Redis is touched.
 */
import { Redis } from 'ioredis';
import { LIBRARY_NAME } from '../src/engine/library.js';

const DEFAULT_URL = 'redis://127.0.0.1:6379';

/** The libraries to delete: this run's, plus every other flexq one on a dedicated test Redis. */
export function librariesToDelete(present: readonly string[], ours: string, dedicated: boolean): string[] {
  return present.filter((name) => name === ours || (dedicated && /^flexq_[0-9a-f]{16}$/.test(name)));
}

/** Deletes what `librariesToDelete` picks from the libraries of the Redis at `url`. */
export async function deleteLibraries(url: string, dedicated: boolean): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    const listed = (await client.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'flexq_*')) as unknown[][];
    const names = listed.map((entry) => String(entry[entry.indexOf('library_name') + 1]));
    for (const name of librariesToDelete(names, LIBRARY_NAME, dedicated)) {
      await client.call('FUNCTION', 'DELETE', name).catch(() => {}); // gone already: fine
    }
  } catch {
    // No Redis to clean (it was never up, or a test stopped it): nothing was left behind there.
  } finally {
    client.disconnect();
  }
}

export async function teardown(): Promise<void> {
  const explicit = process.env.REDIS_URL;
  await deleteLibraries(explicit ?? DEFAULT_URL, explicit !== undefined);
}
