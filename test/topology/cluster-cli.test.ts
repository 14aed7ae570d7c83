/**
 * Part of the `cluster` project: the executable on a Redis Cluster, configured in flexq.toml
 * (`[redis] cluster = [...]`). A headless host runs a dispatched job, and `flexq stats` names the
 * cluster's primaries; a queue of 3 shards runs its jobs and shows one shard per primary.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLUSTER_NODES, deletePrefix, uniquePrefix, waitFor } from '../helpers.js';
import { FlexqProcess, childEnv, runFlexq, tempFolder } from '../exe/helpers.js';

const prefix = uniquePrefix('cluster-cli');
let folder: { dir: string; remove: () => Promise<void> };

beforeAll(async () => {
  folder = await tempFolder([
    '[redis]', `cluster = [${CLUSTER_NODES!.slice(0, 2).map((node) => `"${node}"`).join(', ')}]`, `prefix = "${prefix}"`,
    'durability = "replicated"',
    '[queues.default]', 'pollTime = "200ms"',
    '[queues.spread]', 'shards = 3', 'pollTime = "200ms"', 'concurrency = 8',
    '[handlers.demo]', 'builtin = "sleep"', 'options = { ms = 5 }',
  ].join('\n'));
});
afterAll(async () => {
  await folder.remove();
  await deletePrefix(prefix);
});

it('dispatches to, runs on and reports a cluster configured in flexq.toml', async () => {
  const env = childEnv();
  const host = new FlexqProcess(['--headless'], { env, cwd: folder.dir });
  try {
    await host.waitForLog(/flexq running/);
    const dispatched = await runFlexq(['dispatch', 'demo'], { env, cwd: folder.dir });
    expect(dispatched.code).toBe(0);
    const id = dispatched.stdout.trim();
    await waitFor('the job to complete', async () => (await runFlexq(['show', id, '--json'], { env, cwd: folder.dir })).stdout.includes('"completed"'));
    const stats = await runFlexq(['stats'], { env, cwd: folder.dir });
    expect(stats.stdout).toMatch(/^Redis cluster: primaries (127\.0\.0\.1:\d+(, )?){3}$/m);
    const json = JSON.parse((await runFlexq(['stats', '--json'], { env, cwd: folder.dir })).stdout) as Record<string, { completedJobs: number; topology: { kind: string; primaries: string[] } }>;
    expect(json.default).toMatchObject({ completedJobs: 1, topology: { kind: 'cluster' } });
    expect(json.default!.topology.primaries).toHaveLength(3);
  } finally {
    host.signal('SIGTERM');
    await host.exited;
  }
});

it('runs a sharded queue configured in flexq.toml and shows its shards, one per primary', async () => {
  const env = childEnv();
  const host = new FlexqProcess(['--headless'], { env, cwd: folder.dir });
  try {
    await host.waitForLog(/flexq running/);
    const id = (await runFlexq(['dispatch', 'demo', '--queue', 'spread'], { env, cwd: folder.dir })).stdout.trim();
    expect(id).toMatch(/^[0-2]-/);
    // One process dispatching several jobs deals them out to the shards in turn.
    expect((await runFlexq(['demo', '--queue', 'spread', '--count', '6', '--interval', '10ms'], { env, cwd: folder.dir })).code).toBe(0);
    await waitFor('all 7 jobs to complete', async () => {
      const stats = JSON.parse((await runFlexq(['stats', '--json', '--queue', 'spread'], { env, cwd: folder.dir })).stdout) as Record<string, { completedJobs: number }>;
      return stats.spread!.completedJobs === 7;
    }, { timeoutMs: 30_000, intervalMs: 200 }); // demo jobs take up to 2.7 s, one fails once and is retried
    expect((await runFlexq(['show', id, '--json'], { env, cwd: folder.dir })).stdout).toContain('"completed"');
    const json = JSON.parse((await runFlexq(['stats', '--json', '--queue', 'spread'], { env, cwd: folder.dir })).stdout) as Record<string, { completedJobs: number; shards: { node: string; completedJobs: number }[] }>;
    expect(json.spread!.shards.map((shard) => shard.completedJobs).every((count) => count >= 2)).toBe(true);
    expect(new Set(json.spread!.shards.map((shard) => shard.node)).size).toBe(3);
    const table = (await runFlexq(['stats', '--queue', 'spread'], { env, cwd: folder.dir })).stdout;
    expect(table).toMatch(/^ {2}#2 127\.0\.0\.1:\d+ +running/m);
  } finally {
    host.signal('SIGTERM');
    await host.exited;
  }
});
