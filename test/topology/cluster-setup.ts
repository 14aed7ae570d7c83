/**
 * Global setup of the `cluster` test project: a 3-primary Redis Cluster with a replica each on
 * loopback ports, for the engine's API tests to run a second time against. Stopped by pid after.
 */
import { startCluster } from './servers.js';

export default async function setup(): Promise<() => Promise<void>> {
  const cluster = await startCluster(3, 1);
  // The workers of the project start after this and inherit it (see test/helpers.ts).
  process.env.FLEXQ_TEST_CLUSTER = cluster.nodes.join(',');
  return () => cluster.stop();
}
