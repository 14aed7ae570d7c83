/**
 * Redis topologies of a test's own on loopback ports: a Redis Cluster (primaries with replicas,
 * made with `redis-cli --cluster create`) and a Sentinel group (a primary, a replica, three
 * sentinels). Every process is stopped by pid, and its folder removed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { portIsFree } from '../../src/host/redis-probe.js';
import { waitFor } from '../helpers.js';

/** One redis-server (or sentinel) process, which a test can kill and start again as it was. */
export interface ServerProcess {
  port: number;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again with its arguments (a cluster node keeps its nodes file, so it rejoins). */
  restart(): void;
  /** The last few kilobytes it wrote to stdout and stderr: why it did not start, when it did not. */
  output(): string;
}

const OUTPUT_KEPT = 4_096;

function startServer(port: number, dir: string, args: string[], sentinelConfig?: string): ServerProcess {
  const spawnIt = (): ChildProcess => sentinelConfig === undefined
    ? spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('redis-server', [sentinelConfig, '--sentinel'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEPT); };
  const spawnKept = (): ChildProcess => {
    const started = spawnIt();
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    return started;
  };
  let child = spawnKept();
  let exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    port,
    kill: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    restart: () => {
      child = spawnKept();
      exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    },
    output: () => output,
  };
}

/** Waits until `server` answers PING; if it does not, the error quotes what it wrote. */
async function untilAnswering(what: string, server: ServerProcess): Promise<void> {
  try {
    await waitFor(what, () => answers(server.port), { timeoutMs: 10_000, intervalMs: 50 });
  } catch (error) {
    throw new Error(`${(error as Error).message}; its output:\n${server.output() || '(none)'}`);
  }
}

async function answers(port: number): Promise<boolean> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => {}); // not up yet: the answer is false
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * `count` ports p where p and p + 10000 (a cluster node's bus port) are free. Both stay below
 * Linux's ephemeral range (32768 and up), from which outgoing connections take their local ports:
 * a port found free there could be taken by one before redis-server binds it.
 */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = 12_000 + Math.floor(Math.random() * 10_000);
    if (!ports.includes(port) && (await portIsFree(port)) && (await portIsFree(port + 10_000))) ports.push(port);
  }
  return ports;
}

export interface TestCluster {
  nodes: string[];
  servers: ServerProcess[];
  /** The node serving `key`'s slot as primary, as a node other than `except` (one that is down) sees it. */
  primaryOf(key: string, except?: ServerProcess): Promise<ServerProcess>;
  stop(): Promise<void>;
}

/**
 * A Redis Cluster of `primaries` primaries with `replicas` replicas each, each node started with
 * `extraArgs` too; resolves once its state is ok.
 */
export async function startCluster(primaries = 3, replicas = 1, extraArgs: readonly string[] = []): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'flexq-cluster-'));
  const ports = await freePorts(primaries * (1 + replicas));
  const servers = ports.map((port) => startServer(port, dir, [
    '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000', ...extraArgs,
  ]));
  const stop = async () => {
    await Promise.all(servers.map((server) => server.kill('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const server of servers) await untilAnswering(`cluster node ${server.port}`, server);
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    const created = spawnSync('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', String(replicas), '--cluster-yes'], { encoding: 'utf8' });
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    await waitFor('the cluster to be ok', async () => {
      const states = await Promise.all(ports.map(async (port) => {
        const client = new Redis({ port, host: '127.0.0.1' });
        try {
          return /cluster_state:ok/.test(await client.cluster('INFO'));
        } finally {
          client.disconnect();
        }
      }));
      return states.every(Boolean);
    }, { timeoutMs: 20_000, intervalMs: 100 });
    // Replicas in sync, so that writes waiting for one (WAIT) are confirmed from the start.
    await waitFor('every replica to sync', async () => {
      const links = await Promise.all(ports.map(async (port) => {
        const client = new Redis({ port, host: '127.0.0.1' });
        try {
          const replication = await client.info('replication');
          return /role:master/.test(replication) || /master_link_status:up/.test(replication);
        } finally {
          client.disconnect();
        }
      }));
      return links.every(Boolean);
    }, { timeoutMs: 20_000, intervalMs: 100 });
    return {
      nodes,
      servers,
      primaryOf: async (key: string, except?: ServerProcess) => {
        const client = new Redis({ port: ports.find((port) => port !== except?.port), host: '127.0.0.1' });
        try {
          const slot = Number(await client.cluster('KEYSLOT', key));
          const ranges = (await client.cluster('SLOTS')) as unknown as [number, number, [string, number, string]][];
          const owner = ranges.find(([from, to]) => slot >= from && slot <= to)![2][1];
          return servers.find((server) => server.port === owner)!;
        } finally {
          client.disconnect();
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface TestSentinel {
  name: string;
  sentinels: string[];
  primary: ServerProcess;
  replicas: ServerProcess[];
  stop(): Promise<void>;
}

/**
 * A primary, two replicas and three sentinels watching them as `name`: after a failover one
 * replica is left to confirm writes (`durability: 'replicated'`).
 */
export async function startSentinel(name = 'flexq-test'): Promise<TestSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'flexq-sentinel-'));
  const [primaryPort, replicaPort, secondReplicaPort, ...sentinelPorts] = await freePorts(6);
  const primary = startServer(primaryPort!, dir, []);
  await untilAnswering('the primary', primary);
  const replicas = [replicaPort!, secondReplicaPort!].map((port) => startServer(port, dir, ['--replicaof', '127.0.0.1', String(primaryPort)]));
  for (const replica of replicas) await untilAnswering('a replica', replica);
  const sentinels = sentinelPorts.map((port) => {
    const file = join(dir, `sentinel-${port}.conf`);
    writeFileSync(file, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
      `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      `sentinel parallel-syncs ${name} 1`,
    ].join('\n'));
    return startServer(port, dir, [], file);
  });
  for (const sentinel of sentinels) await untilAnswering(`sentinel ${sentinel.port}`, sentinel);
  // The replicas are in sync before a test relies on them.
  for (const replica of replicas) {
    await waitFor('a replica to sync', async () => {
      const client = new Redis({ port: replica.port, host: '127.0.0.1' });
      try {
        return /master_link_status:up/.test(await client.info('replication'));
      } finally {
        client.disconnect();
      }
    }, { timeoutMs: 15_000, intervalMs: 100 });
  }
  return {
    name,
    sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`),
    primary,
    replicas,
    stop: async () => {
      await Promise.all([primary, ...replicas, ...sentinels].map((server) => server.kill('SIGKILL')));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
