/**
 * The package as users get it: `npm pack` of a clean clone of this repository (no dist/ until
 * prepack builds it) installs into an empty folder, gives
 * `import … from 'flexq'` and the `flexq` executable, and the README's quick start runs as written
 * (against the test Redis, under a prefix of its own).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { RedisQueue } from '../../src/index.js';
import { REDIS_URL, deletePrefix, uniquePrefix, waitFor } from '../helpers.js';

const run = promisify(execFile);
const repo = new URL('../../', import.meta.url).pathname;
let app: string;
const prefix = uniquePrefix('quickstart');

let work: string;

beforeAll(async () => {
  // A clean clone has no dist/: npm pack must build it (prepack), as it would on a fresh machine.
  // The clone is of the committed branch, so uncommitted edits are not what gets packed.
  work = await mkdtemp(join(tmpdir(), 'flexq-package-'));
  app = join(work, 'app');
  const clone = join(work, 'clone');
  await run('git', ['clone', '--quiet', repo, clone]);
  await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: clone });
  await mkdir(app);
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', app], { cwd: clone });
  await rm(clone, { recursive: true, force: true });
  const tarball = join(app, stdout.trim().split('\n').at(-1)!);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'quickstart', private: true, type: 'module' }));
  // The dependencies come from npm's cache, warm after `npm ci`; the registry only when it is not.
  await run('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });
}, 300_000);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await deletePrefix(prefix);
});

/** The README's quick start, with the test Redis address and a prefix of this test's own. */
async function quickStart(): Promise<string> {
  const readme = await readFile(new URL('README.md', `file://${repo}`), 'utf8');
  const code = /The seed's quick start, in TypeScript:\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!code) throw new Error('README has no quick start block');
  const { hostname, port } = new URL(REDIS_URL);
  return code.replace("addr: 'localhost:6379'", `addr: '${hostname}:${port || 6379}'`).replace("prefix: 'myapp'", `prefix: '${prefix}'`);
}

test('the packed flexq installs and its executable answers', async () => {
  const { stdout } = await run(join(app, 'node_modules', '.bin', 'flexq'), ['--version'], { cwd: app });
  const { version } = JSON.parse(await readFile(new URL('package.json', `file://${repo}`), 'utf8')) as { version: string };
  expect(stdout.trim()).toContain(version);
}, 60_000);

test('the package imports and flexq --help answers, with no build step after npm pack', async () => {
  await writeFile(join(app, 'check.mjs'), "const flexq = await import('flexq'); console.log(typeof flexq.RedisQueue, typeof flexq.RedisWorker);\n");
  expect((await run(process.execPath, ['check.mjs'], { cwd: app })).stdout).toBe('function function\n');
  const help = await run(join(app, 'node_modules', '.bin', 'flexq'), ['--help'], { cwd: app });
  expect(help.stdout).toMatch(/^Usage: flexq/);
}, 60_000);

test('the console captures the README points to ship with the package', async () => {
  const installed = join(app, 'node_modules', 'flexq');
  const readme = await readFile(join(installed, 'README.md'), 'utf8');
  expect(readme).toContain('`docs/console.md`');
  expect(await readFile(join(installed, 'docs', 'console.md'), 'utf8')).toMatch(/^# /);
});

test("the README's quick start runs against Redis and stops cleanly on SIGINT", async () => {
  // Written as TypeScript without type annotations, it runs as a plain ES module too.
  await writeFile(join(app, 'main.mjs'), await quickStart());
  const child = spawn(process.execPath, ['main.mjs'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const queue = await RedisQueue.connect('default', { url: REDIS_URL, prefix });
  try {
    // The email job ran (no SMTP server listens here, so it waits to retry); the webhook waits 5 minutes.
    const email = await waitFor('the email job to have run', async () => {
      const [job] = (await queue.listJobs('retrying')).filter((j) => j.type === 'email');
      return job;
    }, { timeoutMs: 20_000 }).catch(async (err: unknown) => {
      throw new Error(`${(err as Error).message}; stats ${JSON.stringify(await queue.getStats())}; stderr: ${stderr}`);
    });
    expect(email.error).toMatch(/ECONNREFUSED|connect/);
    const [webhook] = await queue.listJobs('delayed');
    expect(webhook).toMatchObject({ type: 'webhook', delay: 300_000 });
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  } finally {
    child.kill('SIGKILL');
    await queue.close();
  }
}, 60_000);
