import { ConfigError } from '../../src/config/config-errors.js';
import { parseConfig, type Env } from '../../src/config/config.js';

/** Where the parsed text pretends to live. */
export const FILE = '/etc/flexq/flexq.toml';

/** Parses `source` as flexq.toml in /etc/flexq. */
export function parse(source: string, env: Env = {}) {
  return parseConfig(source, { file: FILE, displayName: 'flexq.toml', env });
}

/** The ConfigError thrown for `source`, so tests can look at its message and issues. */
export function errorOf(source: string, env: Env = {}): ConfigError {
  try {
    parse(source, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

