import { refusedAlertWebhooks } from '../../src/alerts/host-alerts.js';
import { describe, expect, it } from 'vitest';
import { HOST_DEFAULTS } from '../../src/config/defaults.js';
import { SAMPLE_CONFIG } from '../../src/config/sample-config.js';
import { errorOf, parse } from './config-helpers.js';

const queues = `
[queues.default]
[queues.emails]
`;

describe('[alerts.<name>]', () => {
  it('resolves each condition with its defaults, targets from the file or the environment', () => {
    const config = parse(`
alertInterval = "30s"
${queues}
[alerts.failures]
queue = "emails"
failureRate = 0.2
webhookEnv = "SLACK_URL"

[alerts.backlog]
queue = "*"
backlogAbove = 1000
email = "oncall@example.com"

[alerts.stuck]
queue = "default"
oldestWaiting = "10m"
coolDown = "1h"
webhook = "https://hooks.example.com/x"
email = ["a@example.com", "b@example.com"]

[alerts.orphaned]
queue = "default"
noWorkers = true
webhook = "http://127.0.0.1:9/hook"
`, { SLACK_URL: 'https://hooks.slack.com/services/T0/B0/x' });
    expect(config.alertInterval).toBe(30_000);
    expect(config.alerts).toEqual([
      {
        name: 'failures', queue: 'emails', coolDown: HOST_DEFAULTS.alerts.coolDown, webhook: 'https://hooks.slack.com/services/T0/B0/x',
        condition: { kind: 'failureRate', rate: 0.2, window: 300_000, minJobs: 10 },
      },
      { name: 'backlog', queue: '*', coolDown: 900_000, email: ['oncall@example.com'], condition: { kind: 'backlogAbove', jobs: 1000 } },
      {
        name: 'stuck', queue: 'default', coolDown: 3_600_000, webhook: 'https://hooks.example.com/x', email: ['a@example.com', 'b@example.com'],
        condition: { kind: 'oldestWaiting', age: 600_000 },
      },
      { name: 'orphaned', queue: 'default', coolDown: 900_000, webhook: 'http://127.0.0.1:9/hook', condition: { kind: 'noWorkers' } },
    ]);
  });

  it('has none, checked every 15 s, when the file names none', () => {
    const config = parse(queues);
    expect(config.alerts).toEqual([]);
    expect(config.alertInterval).toBe(15_000);
  });

  const rule = (body: string) => `${queues}\n[alerts.a]\n${body}\n`;

  it.each([
    ['a bad duration', 'queue = "default"\nfailureRate = 0.5\nwindow = "5 minutes"\nwebhook = "https://x.example"', /flexq\.toml:\d+: alerts\.a\.window: .*duration/],
    ['a window beyond the day of history', 'queue = "default"\nfailureRate = 0.5\nwindow = "2d"\nwebhook = "https://x.example"', /alerts\.a\.window: expected a duration from 60000 ms/],
    ['a bad cool-down', 'queue = "default"\nbacklogAbove = 5\ncoolDown = "soon"\nwebhook = "https://x.example"', /alerts\.a\.coolDown: /],
    ['an unknown queue', 'queue = "emials"\nbacklogAbove = 5\nwebhook = "https://x.example"', /flexq\.toml:6: alerts\.a\.queue: unknown queue "emials"; expected one of: default, emails, or "\*"/],
    ['a missing target', 'queue = "default"\nbacklogAbove = 5', /alerts\.a: give where to send it: webhook/],
    ['no condition', 'queue = "default"\nwebhook = "https://x.example"', /alerts\.a: give exactly one condition: failureRate, backlogAbove, oldestWaiting, noWorkers/],
    ['two conditions', 'queue = "default"\nbacklogAbove = 5\nnoWorkers = true\nwebhook = "https://x.example"', /give exactly one condition/],
    ['a window without a failure rate', 'queue = "default"\nbacklogAbove = 5\nwindow = "5m"\nwebhook = "https://x.example"', /window and minJobs apply only to failureRate/],
    ['a rate above 1', 'queue = "default"\nfailureRate = 20\nwebhook = "https://x.example"', /alerts\.a\.failureRate: expected a fraction up to 1/],
    ['a webhook that is no http url', 'queue = "default"\nbacklogAbove = 5\nwebhook = "ftp://x.example"', /alerts\.a\.webhook: expected an http/],
    ['a bad email address', 'queue = "default"\nbacklogAbove = 5\nemail = "oncall"', /alerts\.a\.email: expected an email address/],
    ['a missing queue', 'backlogAbove = 5\nwebhook = "https://x.example"', /alerts\.a\.queue: expected a queue name, or "\*"/],
    ['an unknown key', 'queue = "default"\nbacklogAbove = 5\nwebhook = "https://x.example"\nthreshold = 3', /alerts\.a\.threshold: unknown key/],
  ])('names %s, with the key and its line', (_what, body, message) => {
    expect(errorOf(rule(body)).message).toMatch(message);
  });

  it('names a webhookEnv variable that is not set', () => {
    const error = errorOf(rule('queue = "default"\nbacklogAbove = 5\nwebhookEnv = "SLACK_URL"'), { SLACK_URL: '' });
    expect(error.message).toMatch(/flexq\.toml:8: alerts\.a\.webhookEnv: the environment variable SLACK_URL is not set/);
  });

  it('refuses a webhookEnv variable that holds no http url, without quoting it', () => {
    const error = errorOf(rule('queue = "default"\nbacklogAbove = 5\nwebhookEnv = "SLACK_URL"'), { SLACK_URL: 'hooks.slack.com/secret-token' });
    expect(error.message).toMatch(/environment variable SLACK_URL: expected an http/);
    expect(error.message).not.toContain('secret-token');
  });

  it('the examples commented out in the sample work as written', () => {
    const [head, examples] = SAMPLE_CONFIG.split(/^(?=# \[alerts\.backlog\])/m) as [string, string];
    const uncommented = head.replace('# alertInterval', 'alertInterval') + examples.replace(/^# ?/gm, '');
    const config = parse(uncommented, { SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/x' });
    expect(config.alertInterval).toBe(15_000);
    expect(config.alerts.map((rule) => [rule.name, rule.condition.kind])).toEqual([['backlog', 'backlogAbove'], ['failures', 'failureRate']]);
  });
});

describe('alert webhooks the address guard will refuse', () => {
  const withTargets = (webhookTable: string) => parse(`
${queues}
${webhookTable}
[alerts.internal]
queue = "default"
noWorkers = true
webhook = "http://10.1.2.3:8080/hook"

[alerts.local]
queue = "default"
noWorkers = true
webhook = "http://localhost:9/hook"

[alerts.public]
queue = "default"
noWorkers = true
webhook = "https://hooks.example.com/x"

[alerts.mailed]
queue = "default"
noWorkers = true
email = "oncall@example.com"
`);
  const refused = (webhookTable: string, mode: 'headless' | 'console') => refusedAlertWebhooks(withTargets(webhookTable), mode).map((rule) => rule.name);

  it('are found at start: private literals and localhost under --headless, where the guard is on', () => {
    expect(refused('', 'headless')).toEqual(['internal', 'local']);
    // The console's hosts leave the guard off unless [webhook] turns it on.
    expect(refused('', 'console')).toEqual([]);
    expect(refused('[webhook]\nblockPrivateAddresses = true', 'console')).toEqual(['internal', 'local']);
  });

  it('leave out what [webhook] allows', () => {
    expect(refused('[webhook]\nallowAddresses = ["10.1.0.0/16"]', 'headless')).toEqual(['local']);
    expect(refused('[webhook]\nblockPrivateAddresses = false', 'headless')).toEqual([]);
  });
});
