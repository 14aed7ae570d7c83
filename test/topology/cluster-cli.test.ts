/**
 * Part of the `cluster` project: the executable on a Redis Cluster, configured in flexq.toml
 * (`[redis] cluster = [...]`). A headless host runs a dispatched job, and `flexq stats` names the
 * cluster's primaries.
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
