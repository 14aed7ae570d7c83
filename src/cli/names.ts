/**
 * What names and environment variables flexq accepts, with no dependencies, so the command-line
 * parser can check them without loading the config's schema library (see `src/cli/main.ts`).
 */

/** Queue names and job types end up inside Redis keys: no spaces, braces or colons. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** A key prefix may also hold colons, as in "myapp:jobs". */
export const PREFIX_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** The environment variables that override flexq.toml (config.ts reads each). */
export const ENV_VARIABLES = [
  'FLEXQ_REDIS_URL',
  'FLEXQ_REDIS_USERNAME',
  'FLEXQ_REDIS_PASSWORD',
  'FLEXQ_REDIS_DB',
  'FLEXQ_REDIS_PREFIX',
  'FLEXQ_SMTP_PASSWORD',
  'FLEXQ_WEBHOOK_SECRET',
] as const;

/** One of the variables that override flexq.toml. */
export type EnvVariable = (typeof ENV_VARIABLES)[number];
