import { describe, expect, it } from 'vitest';
import { HOST_DEFAULTS } from '../../src/host/defaults.js';
import { errorOf, parse } from './config-helpers.js';

const BASE = `
[queues.mail]
[queues.ops]
[handlers.webhook]
builtin = "webhook"
`;

describe('[alerts.<name>]', () => {
  it('reads conditions and the notice, with defaults for window, minJobs and cooldown', () => {
    const config = parse(`${BASE}
[alerts.mail-failing]
queue = "mail"
failureRate = 0.2
backlog = 500
oldestWaiting = "10m"
noWorkers = true
notify = { type = "webhook", url = "https://hooks.example.com/T1", queue = "ops" }
`);
    expect(config.alerts).toEqual([{
      name: 'mail-failing', queue: 'mail', failureRate: 0.2, backlog: 500, oldestWaiting: 600_000, noWorkers: true,
      window: HOST_DEFAULTS.alerts.window, minJobs: HOST_DEFAULTS.alerts.minJobs, cooldown: HOST_DEFAULTS.alerts.cooldown,
      notify: { type: 'webhook', url: 'https://hooks.example.com/T1', queue: 'ops' },
    }]);
    expect(parse(BASE).alerts).toEqual([]);
  });

  it.each([
    ['no condition', 'queue = "mail"\nnotify = { type = "webhook", url = "https://x.test" }', /give at least one condition: failureRate, backlog, oldestWaiting or noWorkers = true/],
    ['a queue not configured', 'queue = "nope"\nbacklog = 1\nnotify = { type = "webhook", url = "https://x.test" }', /alerts\.a\.queue.*queue "nope" is not configured \(configured: mail, ops\)/],
    ['a notice type without a handler', 'queue = "mail"\nbacklog = 1\nnotify = { type = "email", to = "a@b.c" }', /alerts\.a\.notify\.type.*no \[handlers\.email\] to send the notice with \(handlers: webhook\)/],
    ['url and to together', 'queue = "mail"\nbacklog = 1\nnotify = { type = "webhook", url = "https://x.test", to = "a@b.c" }', /give url \(a webhook\) or to \(an email\), not both/],
    ['a failure rate of 1 or more', 'queue = "mail"\nfailureRate = 20\nnotify = { type = "webhook", url = "https://x.test" }', /alerts\.a\.failureRate.*expected a fraction above 0 and below 1/],
    ['a window under a minute', 'queue = "mail"\nfailureRate = 0.5\nwindow = "10s"\nnotify = { type = "webhook", url = "https://x.test" }', /alerts\.a\.window/],
  ])('refuses %s, naming the key', (_what, body, message) => {
    expect(errorOf(`${BASE}\n[alerts.a]\n${body}\n`).message).toMatch(message);
  });
});
