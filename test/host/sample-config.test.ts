import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { HOST_DEFAULTS } from '../../src/config/defaults.js';
import { ConfigExistsError, SAMPLE_CONFIG, writeSampleConfig } from '../../src/config/sample-config.js';

const repoConfig = new URL('../../flexq.toml', import.meta.url);

describe('the sample config', () => {
  it('is exactly the repository flexq.toml', async () => {
    expect(await readFile(repoConfig, 'utf8')).toBe(SAMPLE_CONFIG);
  });

  it('parses, hosts the default queue and leaves Redis unconfigured', () => {
    const config = parseConfig(SAMPLE_CONFIG, { file: '/repo/flexq.toml', env: {} });
    expect(config.redisConfigured).toBe(false);
    expect(config.queues.map((queue) => queue.name)).toEqual(['default']);
    expect(config.queues[0]?.retryDelays).toEqual([1_000, 5_000, 30_000, 300_000]);
  });

  it('maps email and webhook to the built-ins and handles the demo jobs', () => {
    const { handlers } = parseConfig(SAMPLE_CONFIG, { file: null, env: {} });
    expect(handlers.email).toEqual({ kind: 'builtin', builtin: 'email', options: {} });
    expect(handlers.webhook).toEqual({ kind: 'builtin', builtin: 'webhook', options: {} });
    expect(handlers[HOST_DEFAULTS.demoJobType]).toEqual({ kind: 'builtin', builtin: 'sleep', options: { ms: 500 } });
  });
});

describe('writeSampleConfig (flexq init)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flexq-init-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes flexq.toml into the folder', async () => {
    const path = await writeSampleConfig(dir, false);
    expect(path).toBe(join(dir, 'flexq.toml'));
    expect(await readFile(path, 'utf8')).toBe(SAMPLE_CONFIG);
  });

  it('refuses to overwrite an existing file', async () => {
    await writeFile(join(dir, 'flexq.toml'), 'mine = true\n');
    await expect(writeSampleConfig(dir, false)).rejects.toThrow(ConfigExistsError);
    await expect(writeSampleConfig(dir, false)).rejects.toThrow(/already exists; use --force/);
    expect(await readFile(join(dir, 'flexq.toml'), 'utf8')).toBe('mine = true\n');
  });

  it('refuses a folder that does not exist, naming it, and creates none', async () => {
    await expect(writeSampleConfig(dir, false, 'sub/x.toml')).rejects.toThrow(
      `cannot write ${join(dir, 'sub', 'x.toml')}: the folder ${join(dir, 'sub')} does not exist; create it first`,
    );
    await expect(readdir(dir)).resolves.toEqual([]);
  });

  it('overwrites with force', async () => {
    await writeFile(join(dir, 'flexq.toml'), 'mine = true\n');
    await writeSampleConfig(dir, true);
    expect(await readFile(join(dir, 'flexq.toml'), 'utf8')).toBe(SAMPLE_CONFIG);
  });
});
