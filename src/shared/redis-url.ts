/** Checks of a Redis URL given in flexq.toml, FLEXQ_REDIS_URL or `--redis`, without zod (the CLI starts fast). */

/** A URL that is no redis:// or rediss:// URL with a host. */
const REDIS_URL_EXPECTED = 'expected a url such as "redis://localhost:6379" or "rediss://host:6380/0"';

/**
 * What is wrong with a Redis URL, in words that never repeat it (it may hold a password);
 * undefined when nothing is.
 */
export function redisUrlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return REDIS_URL_EXPECTED;
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') return REDIS_URL_EXPECTED;
  if (!/^\/?\d*$/.test(url.pathname)) return 'expected a database number after the port, such as "redis://localhost:6379/2"';
  return undefined;
}
