import { Redis } from 'ioredis';
import { afterEach, expect, test } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { LIBRARY_NAME } from '../../src/engine/library.js';
import { deleteLibraries } from '../global-setup.js';
import { freePort, startPrivateRedis, type PrivateRedis } from '../helpers.js';

let redis: PrivateRedis | undefined;
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
});

const fake = (name: string) => `#!lua name=${name}\nredis.register_function('${name}_f', function() return 1 end)`;

async function libraries(client: Redis): Promise<string[]> {
  const listed = (await client.call('FUNCTION', 'LIST')) as unknown[][];
  return listed.map((entry) => String(entry[entry.indexOf('library_name') + 1])).sort();
}

test("the global teardown deletes this run's library, other flexq ones only on a dedicated test Redis, never others", async () => {
  redis = await startPrivateRedis(await freePort());
  const queue = await RedisQueue.connect('q', { url: redis.url, prefix: 'lib' });
  await queue.push({ type: 't' }); // loads this code's library
  await queue.close();
  const client = new Redis(redis.url);
  try {
    const older = 'flexq_00000000000000aa';
    await client.call('FUNCTION', 'LOAD', fake(older));
    await client.call('FUNCTION', 'LOAD', fake('otherapp'));
    expect(await libraries(client)).toEqual([LIBRARY_NAME, older, 'otherapp'].sort());

    await deleteLibraries(redis.url, false);
    expect(await libraries(client)).toEqual([older, 'otherapp'].sort());

    await deleteLibraries(redis.url, true);
    expect(await libraries(client)).toEqual(['otherapp']);
  } finally {
    client.disconnect();
  }
});
