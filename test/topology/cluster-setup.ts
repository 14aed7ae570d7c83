/**
 * Global setup of the `cluster` test project: a 3-primary Redis Cluster with a replica each on
 * loopback ports, for the engine's API tests to run a second time against. Stopped by pid after.
 */
import type { TestProject } from 'vitest/node';
import { startCluster } from './servers.js';

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startCluster(3, 1);
  // Provided to this project's tests alone (see clusterNodes in test/helpers.ts).
  project.provide('clusterNodes', cluster.nodes);
  return () => cluster.stop();
}
