import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REDIS_URL, uniquePrefix } from '../helpers.js';
import { childEnv, redisEnv, runFlexq, tempFolder } from './helpers.js';

const packageJson = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('flexq executable: help, version, usage and config errors', () => {
  let dir: string;
  let remove: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, remove } = await tempFolder());
  });
  afterEach(async () => {
    await remove();
  });

  async function withConfig(toml: string, args: string[], env = childEnv()) {
    await writeFile(join(dir, 'flexq.toml'), toml);
    return runFlexq(args, { env, cwd: dir });
  }

  it('prints help on stdout and exits 0', async () => {
    const result = await runFlexq(['--help'], { env: childEnv(), cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: flexq');
    expect(result.stdout).toContain('--headless');
    expect(result.stderr).toBe('');
  });

  it('prints the package version and exits 0', async () => {
    const result = await runFlexq(['--version'], { env: childEnv(), cwd: dir });
    expect(result).toMatchObject({ code: 0, stdout: `${packageJson.version}\n` });
  });

  it('init writes to --config FILE when given', async () => {
    const result = await runFlexq(['--config', 'custom.toml', 'init'], { env: childEnv(), cwd: dir });
    expect(result).toMatchObject({ code: 0, stdout: `wrote ${join(dir, 'custom.toml')}\n` });
    expect(await readFile(join(dir, 'custom.toml'), 'utf8')).toContain('[handlers.demo]');
    await expect(readFile(join(dir, 'flexq.toml'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('exits 2 on a usage error', async () => {
    const result = await runFlexq(['priority', 'abc'], { env: childEnv(), cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Run 'flexq priority --help' for usage.");
  });

  it('exits 1 naming file and line on a TOML syntax error', async () => {
    const result = await withConfig('[redis\nprefix = "x"\n', ['stats']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^flexq: flexq\.toml:1:\d+: invalid TOML/);
  });

  it('exits 1 naming the key on an unknown key and on a wrong value', async () => {
    const result = await withConfig('[queues.default]\nconcurency = 4\n[metrics]\nport = "x"\n', ['--headless']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('flexq.toml:2: queues.default.concurency: unknown key');
    expect(result.stderr).toMatch(/flexq\.toml:4: metrics\.port: /);
  });

  it('exits 1 when --config names a missing file', async () => {
    const result = await runFlexq(['--config', 'nope.toml', 'stats'], { env: childEnv(), cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nope.toml: cannot read the file: no such file');
  });

  it('exits 1 naming the variable on a bad environment override', async () => {
    const result = await runFlexq(['stats'], { env: childEnv({ FLEXQ_REDIS_URL: 'http://example.test' }), cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^flexq: environment variable FLEXQ_REDIS_URL: /);
  });

  it('exits 1 naming the job type and its line in flexq.toml when a handler cannot be made', async () => {
    const config = '[handlers.report]\nmodule = "./missing.js"\n[metrics]\nenabled = false\n';
    const result = await withConfig(config, ['--headless'], redisEnv(uniquePrefix('exe-handler')));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^flexq: flexq\.toml:2: handler for job type "report" .*missing\.js.*cannot read the module file: no such file/);
    // A built-in's bad option: the line of its options.
    const badOption = '[handlers.mail]\nbuiltin = "email"\noptions = { host = "h", port = "x" }\n[metrics]\nenabled = false\n';
    const refused = await withConfig(badOption, ['--headless'], redisEnv(uniquePrefix('exe-handler')));
    expect([refused.code, refused.stderr]).toEqual([1, 'flexq: flexq.toml:3: handler for job type "mail": emailJobHandler: port must be an integer from 1 to 65535, got "x"\n']);
  });

  it("prints the Redis client's own warnings as flexq's, not as bare [WARN] lines", async () => {
    // A password this Redis does not need: ioredis warns on console.warn.
    const url = new URL(REDIS_URL);
    url.password = 'not-needed-pw';
    const result = await runFlexq(['stats', '--redis', url.toString()], { env: redisEnv(uniquePrefix('client-warn')), cwd: dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^flexq: warning from the Redis client: .*does not require a password/m);
    expect(result.stderr).not.toContain('[WARN]');
    expect(result.stderr).not.toContain('not-needed-pw');
  });

  it('exits 1 naming the address when the configured Redis does not answer', async () => {
    const config = '[redis]\naddr = "127.0.0.1:1"\nconnectTimeout = "1s"\n';
    const result = await withConfig(config, ['stats']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot reach Redis at 127.0.0.1:1');
  });
});
