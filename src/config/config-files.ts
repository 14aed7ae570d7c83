import { readFile } from 'node:fs/promises';
import { fileProblem } from '../shared/file-problem.js';
import { lineLocator, type ConfigIssue } from './config-errors.js';
import type { HostConfig } from './config-types.js';

/** A key of flexq.toml that names a file flexq reads, and where the resolved config holds that path. */
interface FileKey {
  path: readonly string[];
  file: (config: HostConfig) => string | undefined;
}

// Handler modules are not here: only a host loads them, and its loader names the job type and
// path; a one-shot command such as `flexq stats` must work where the modules are not installed.
const FILE_KEYS: readonly FileKey[] = [
  { path: ['redis', 'tls', 'caFile'], file: (config) => config.redis.tls?.caFile },
];

/**
 * The files flexq.toml names that cannot be read, as config issues with key and line. Checked when
 * the config loads, so a missing CA says which key named it instead of a bare ENOENT at connect.
 */
export async function unreadableFileIssues(config: HostConfig, shown: string, source: string): Promise<ConfigIssue[]> {
  const locate = lineLocator(source);
  const issues = await Promise.all(FILE_KEYS.map(async ({ path, file }): Promise<ConfigIssue[]> => {
    const name = file(config);
    if (name === undefined) return [];
    try {
      await readFile(name);
      return [];
    } catch (error) {
      return [{ source: shown, path: path.join('.'), line: locate(path), message: `cannot read the file ${name}: ${fileProblem(error)}` }];
    }
  }));
  return issues.flat();
}

