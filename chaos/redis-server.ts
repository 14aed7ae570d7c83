/**
 * A redis-server of a scenario's own on a loopback port, with its own data directory, which the
 * scenario can kill and start again on the same port and data (for AOF recovery).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ephemeralPort, redisAnswers } from '../src/host/redis-probe.js';

export interface RedisServerOptions {
  /** `appendfsync` policy with AOF on, or no persistence at all. */
  appendfsync?: 'always' | 'everysec';
  /** `maxmemory` in bytes, with the `noeviction` policy. */
  maxmemory?: number;
}

export class RedisServer {
  readonly dir = mkdtempSync(join(tmpdir(), 'flexq-chaos-redis-'));
  private child?: ChildProcess;
  private exited?: Promise<void>;

  private constructor(readonly port: number, private readonly options: RedisServerOptions) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const server = new RedisServer(await ephemeralPort(), options);
    await server.spawn();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts redis-server (again) and resolves once it answers. */
  async spawn(): Promise<void> {
    const { appendfsync, maxmemory } = this.options;
    const args = ['--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, '--save', ''];
    args.push('--appendonly', appendfsync ? 'yes' : 'no');
    if (appendfsync) args.push('--appendfsync', appendfsync);
    if (maxmemory) args.push('--maxmemory', String(maxmemory), '--maxmemory-policy', 'noeviction');
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers({ host: '127.0.0.1', port: this.port }))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server on port ${this.port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Sends `signal` and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child && this.child.exitCode === null) this.child.kill(signal);
    await this.exited;
  }

  /** Stops it for good and removes its data. */
  async close(): Promise<void> {
    await this.kill('SIGTERM');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
