/** `[alerts.<name>]` of flexq.toml resolved into rules: defaults applied, webhook urls read from the environment. */
import type { ConfigIssue } from './config-errors.js';
import { lineLocator } from './config-errors.js';
import type { ConfigFile } from './config-schema.js';
import type { AlertRule } from './config-types.js';
import { HOST_DEFAULTS } from './defaults.js';

type AlertTables = NonNullable<ConfigFile['alerts']>;
type AlertTable = AlertTables[string];

function conditionOf(table: AlertTable): AlertRule['condition'] {
  if (table.failureRate !== undefined) {
    return {
      kind: 'failureRate', rate: table.failureRate,
      window: table.window ?? HOST_DEFAULTS.alerts.window, minJobs: table.minJobs ?? HOST_DEFAULTS.alerts.minJobs,
    };
  }
  if (table.backlogAbove !== undefined) return { kind: 'backlogAbove', jobs: table.backlogAbove };
  if (table.oldestWaiting !== undefined) return { kind: 'oldestWaiting', age: table.oldestWaiting };
  return { kind: 'noWorkers' };
}

/**
 * The rules of `[alerts]`, in file order. A `webhookEnv` variable that is unset or empty is an issue
 * (naming the variable, the key and its line): a rule with nowhere to deliver would fire unheard.
 */
export function resolveAlerts(
  tables: AlertTables | undefined, env: Readonly<Record<string, string | undefined>>, file: string, source: string,
): { rules: AlertRule[]; issues: ConfigIssue[] } {
  const locate = lineLocator(source);
  const rules: AlertRule[] = [];
  const issues: ConfigIssue[] = [];
  for (const [name, table] of Object.entries(tables ?? {})) {
    let webhook = table.webhook;
    if (table.webhookEnv !== undefined) {
      webhook = env[table.webhookEnv];
      if (webhook === undefined || webhook === '') {
        const path = ['alerts', name, 'webhookEnv'];
        issues.push({ source: file, path: path.join('.'), line: locate(path), message: `the environment variable ${table.webhookEnv} is not set; it should hold the webhook url` });
        continue;
      }
      if (!/^https?:\/\//i.test(webhook)) {
        issues.push({ source: `environment variable ${table.webhookEnv}`, path: '', message: 'expected an http:// or https:// url' });
        continue;
      }
    }
    const email = table.email === undefined ? undefined : [table.email].flat();
    rules.push({
      name,
      queue: table.queue,
      condition: conditionOf(table),
      coolDown: table.coolDown ?? HOST_DEFAULTS.alerts.coolDown,
      ...(webhook === undefined ? {} : { webhook }),
      ...(email === undefined ? {} : { email }),
    });
  }
  return { rules, issues };
}
