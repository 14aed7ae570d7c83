import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/engine/defaults.js';
import { parseCommandLine, type ParsedCommand } from '../../src/cli/cli.js';

const parse = (...argv: string[]) => parseCommandLine(argv, '9.8.7');

/** The usage error for `argv`, failing the test when the line parses. */
function usageError(...argv: string[]): Extract<ParsedCommand, { kind: 'usage-error' }> {
  const parsed = parse(...argv);
  if (parsed.kind !== 'usage-error') throw new Error(`expected a usage error, got ${JSON.stringify(parsed)}`);
  return parsed;
}

describe('running the host', () => {
  it('no arguments opens the console on ./flexq.toml', () => {
    expect(parse()).toEqual({ kind: 'run', headless: false, noWorkers: false, readOnly: false });
  });

  it('reads --headless, --config and --read-only', () => {
    expect(parse('--headless', '--config', 'prod.toml', '--read-only')).toEqual({
      kind: 'run',
      headless: true,
      noWorkers: false,
      configPath: 'prod.toml',
      readOnly: true,
    });
    expect(parse('--config=x.toml')).toMatchObject({ kind: 'run', configPath: 'x.toml' });
  });

  it('console and --no-workers open the console without workers; --redis names the Redis', () => {
    const url = 'redis://127.0.0.1:6390/2';
    const consoleOnly = { kind: 'run', headless: false, noWorkers: true, redisUrl: url, readOnly: false };
    expect(parse('console', '--redis', url)).toEqual(consoleOnly);
    expect(parse('--redis', url, 'console')).toEqual(consoleOnly);
    expect(parse('--no-workers', '--redis', url)).toEqual(consoleOnly);
    expect(usageError('--no-workers', '--headless').message).toMatch(/--no-workers opens the console; it cannot be --headless/);
    expect(usageError('console', '--headless').message).toMatch(/^'console' opens the console; it cannot be --headless/);
    expect(parse('console', '--no-workers', '--read-only')).toMatchObject({ kind: 'run', noWorkers: true, readOnly: true });
  });

  it('refuses a malformed --redis as a usage error that names the problem and never quotes the value (it may hold a password)', () => {
    const cases: [string, RegExp][] = [
      ['redis//:S3cretPass@127.0.0.1:6398', /expected a url such as "redis:\/\/localhost:6379"/],
      [':S3cretPass@127.0.0.1:6398', /expected a url such as/],
      ['http://:S3cretPass@127.0.0.1:6398', /expected a url such as/],
      ['redis://:S3cretPass@127.0.0.1:6398/abc', /expected a database number after the port/],
    ];
    for (const [url, problem] of cases) {
      const refused = usageError('stats', '--redis', url);
      expect(refused).toEqual({ kind: 'usage-error', message: expect.stringMatching(problem), command: 'flexq stats' });
      expect(refused.message).toMatch(/^option '--redis <url>': /);
      expect(refused.message).not.toContain('S3cretPass');
    }
  });

  it.each(['stats', 'init', 'dispatch email', 'jobs', 'doctor', 'demo', 'drain q'])('--headless and --no-workers with %s are usage errors naming the flag', (line) => {
    const [name] = line.split(' ');
    for (const argv of [[...line.split(' '), '--headless'], ['--headless', ...line.split(' ')]]) {
      expect(usageError(...argv)).toEqual({ kind: 'usage-error', message: `--headless applies to the worker host (\`flexq --headless\`), not to '${name}'`, command: `flexq ${name}` });
    }
    expect(usageError(...line.split(' '), '--no-workers').message).toBe(`--no-workers applies to the console (\`flexq --no-workers\`), not to '${name}'`);
    expect(usageError('console', '--redis', 'http://x').message).toMatch(/expected a url such as "redis:\/\/localhost:6379"/);
  });
});

describe('commands', () => {
  it.each<[string[], ParsedCommand]>([
    [['init'], { kind: 'init', force: false, readOnly: false }],
    [['init', '--force'], { kind: 'init', force: true, readOnly: false }],
    [['dispatch', 'email'], { kind: 'dispatch', type: 'email', payload: { from: 'argument', payload: {} }, readOnly: false }],
    [['dispatch', 'email', '-'], { kind: 'dispatch', type: 'email', payload: { from: 'stdin' }, readOnly: false }],
    [['dispatch', 'email', '@big.json'], { kind: 'dispatch', type: 'email', payload: { from: 'file', path: 'big.json' }, readOnly: false }],
    [
      ['dispatch', 'webhook', '{"url":"https://x.test","n":[1]}', '--queue', 'hooks', '--priority', '-3', '--delay', '1m30s', '--max-attempts', '5'],
      { kind: 'dispatch', type: 'webhook', payload: { from: 'argument', payload: { url: 'https://x.test', n: [1] } }, queue: 'hooks', priority: -3, delay: 90_000, maxAttempts: 5, readOnly: false },
    ],
    [['dispatch', 'email', '--delay', '2500'], { kind: 'dispatch', type: 'email', payload: { from: 'argument', payload: {} }, delay: 2_500, readOnly: false }],
    [['dispatch', 'report', '--group', 'tenant:42'], { kind: 'dispatch', type: 'report', payload: { from: 'argument', payload: {} }, group: 'tenant:42', readOnly: false }],
    [
      ['dispatch', 'invoice', '--unique-key', 'order-7', '--unique-for', '10m'],
      { kind: 'dispatch', type: 'invoice', payload: { from: 'argument', payload: {} }, uniqueKey: 'order-7', uniqueFor: 600_000, readOnly: false },
    ],
    [['stats'], { kind: 'stats', json: false, readOnly: false }],
    [['stats', '--json', '--queue', 'emails'], { kind: 'stats', json: true, queue: 'emails', readOnly: false }],
    [['jobs'], { kind: 'jobs', limit: DEFAULTS.listLimit, json: false, readOnly: false }],
    [['jobs', 'failed', '--queue', 'q', '--limit', '5', '--json'], { kind: 'jobs', status: 'failed', queue: 'q', limit: 5, json: true, readOnly: false }],
    [['jobs', 'delayed'], { kind: 'jobs', status: 'delayed', limit: DEFAULTS.listLimit, json: false, readOnly: false }],
    [['show', 'j1'], { kind: 'show', id: 'j1', json: false, readOnly: false }],
    [['show', 'j1', '--json', '--queue', 'q'], { kind: 'show', id: 'j1', json: true, queue: 'q', readOnly: false }],
    [['cancel', 'j1'], { kind: 'cancel', id: 'j1', readOnly: false }],
    [['cancel', '--all', 'pending', '--queue', 'q'], { kind: 'cancel-all', status: 'pending', queue: 'q', readOnly: false }],
    [['cancel', '--all', 'delayed'], { kind: 'cancel-all', status: 'delayed', readOnly: false }],
    [['retry', 'j1', '--queue', 'q'], { kind: 'retry', id: 'j1', queue: 'q', readOnly: false }],
    [['retry', '--all', 'failed'], { kind: 'retry-all', status: 'failed', readOnly: false }],
    [['retry', '--all', 'cancelled', '--queue', 'q', '--type', 'email'], { kind: 'retry-all', status: 'cancelled', queue: 'q', type: 'email', readOnly: false }],
    [['clean', 'completed'], { kind: 'clean', status: 'completed', readOnly: false }],
    [['clean', 'failed', '--older-than', '7d', '--limit', '10', '--queue', 'q'], { kind: 'clean', status: 'failed', olderThan: 7 * 86_400_000, limit: 10, queue: 'q', readOnly: false }],
    [['drain', 'emails'], { kind: 'drain', queue: 'emails', timeout: 300_000, readOnly: false }],
    [['drain', 'emails', '--timeout', '30s'], { kind: 'drain', queue: 'emails', timeout: 30_000, readOnly: false }],
    [['stats', '--redis', 'rediss://u:p@h:6380'], { kind: 'stats', json: false, redisUrl: 'rediss://u:p@h:6380', readOnly: false }],
    [['priority', 'j1', '7'], { kind: 'priority', id: 'j1', priority: 7, readOnly: false }],
    [['priority', 'j1', '-7'], { kind: 'priority', id: 'j1', priority: -7, readOnly: false }],
    [['pause', 'emails'], { kind: 'pause', queue: 'emails', readOnly: false }],
    [['resume', 'emails'], { kind: 'resume', queue: 'emails', readOnly: false }],
    [['demo'], { kind: 'demo', interval: 500, readOnly: false }],
    [['demo', '--count', '20', '--interval', '100ms', '--queue', 'q'], { kind: 'demo', count: 20, interval: 100, queue: 'q', readOnly: false }],
  ])('%j', (argv, expected) => {
    expect(parse(...argv)).toEqual(expected);
  });

  it('takes global options before or after the command', () => {
    expect(parse('--config', 'a.toml', 'stats')).toEqual({ kind: 'stats', json: false, configPath: 'a.toml', readOnly: false });
    expect(parse('stats', '--config', 'a.toml', '--read-only')).toEqual({ kind: 'stats', json: false, configPath: 'a.toml', readOnly: true });
  });

  it('--read-only allows reading', () => {
    for (const argv of [['stats'], ['jobs'], ['show', 'x'], ['init']]) {
      expect(parse('--read-only', ...argv).kind).toBe(argv[0]);
    }
  });
});

describe('usage errors name the argument at fault', () => {
  it.each([
    [['--bogus'], /unknown option '--bogus'/, 'flexq'],
    [['stats', '--verbose'], /unknown option '--verbose'/, 'flexq stats'],
    [['frobnicate'], /unknown command 'frobnicate'; commands: init, dispatch/, 'flexq'],
    [['dispatch'], /missing required argument 'type'/, 'flexq dispatch'],
    [['dispatch', 'email', '{bad json'], /argument 'payload'.*expected a JSON object/, 'flexq dispatch'],
    [['dispatch', 'email', '[1,2]'], /'\[1,2\]' is invalid for argument 'payload'/, 'flexq dispatch'],
    [['dispatch', 'bad type'], /argument 'type'/, 'flexq dispatch'],
    [['dispatch', 'email', '@'], /'@' is invalid for argument 'payload'. expected a file name after @/, 'flexq dispatch'],
    [['dispatch', 'email', '--delay', 'soon'], /option '--delay <duration>' argument 'soon' is invalid. expected a duration/, 'flexq dispatch'],
    [['dispatch', 'email', '--priority', 'high'], /option '--priority <n>' argument 'high' is invalid. expected an integer/, 'flexq dispatch'],
    [['dispatch', 'email', '--priority', '99999999'], /'--priority <n>'.*expected an integer from -1000000 to 1000000/, 'flexq dispatch'],
    [['dispatch', 'email', '--max-attempts', '0'], /'--max-attempts <n>' argument '0'.*at least 1/, 'flexq dispatch'],
    [['dispatch', 'email', '--group', 'a b'], /'--group <name>' argument 'a b' is invalid. expected 1-100 letters, digits/, 'flexq dispatch'],
    [['dispatch', 'email', '--unique-key', ''], /'--unique-key <key>' argument '' is invalid. expected 1 to 500 characters/, 'flexq dispatch'],
    [['dispatch', 'email', '--unique-for', '0'], /'--unique-for <duration>' argument '0' is invalid. expected/, 'flexq dispatch'],
    [['dispatch', 'email', '--queue'], /option '--queue <name>' argument missing/, 'flexq dispatch'],
    [['jobs', 'done'], /'done' is invalid for argument 'status'. expected one of: pending, processing/, 'flexq jobs'],
    [['jobs', '--limit', 'all'], /'--limit <n>' argument 'all'/, 'flexq jobs'],
    [['show'], /missing required argument 'id'/, 'flexq show'],
    [['priority', 'j1'], /missing required argument 'n'/, 'flexq priority'],
    [['priority', 'j1', '1.5'], /'1.5' is invalid for argument 'n'. expected an integer/, 'flexq priority'],
    [['pause'], /missing required argument 'queue'/, 'flexq pause'],
    [['cancel', 'a', 'b'], /too many arguments for 'cancel'/, 'flexq cancel'],
    [['cancel'], /missing job id \(or --all pending/, 'flexq cancel'],
    [['cancel', 'j1', '--all', 'pending'], /give a job id or --all, not both/, 'flexq cancel'],
    [['cancel', '--all', 'failed'], /'--all <status>' argument 'failed' is invalid. expected one of: pending, delayed, retrying/, 'flexq cancel'],
    [['demo', '--interval', 'often'], /'--interval <duration>' argument 'often'/, 'flexq demo'],
    [['--config'], /option '--config <file>' argument missing/, 'flexq'],
    [['retry'], /missing job id \(or --all failed/, 'flexq retry'],
    [['retry', 'j1', '--all', 'failed'], /give a job id or --all, not both/, 'flexq retry'],
    [['retry', '--all', 'completed'], /'--all <status>' argument 'completed' is invalid. expected one of: failed, cancelled/, 'flexq retry'],
    [['retry', 'j1', '--type', 'email'], /--type filters --all/, 'flexq retry'],
    [['clean', 'pending'], /'pending' is invalid for argument 'status'. expected one of: completed, failed, cancelled/, 'flexq clean'],
    [['clean'], /missing required argument 'status'/, 'flexq clean'],
    [['clean', 'failed', '--older-than', 'a week'], /'--older-than <duration>' argument 'a week' is invalid. expected a duration/, 'flexq clean'],
    [['clean', 'failed', '--older-than', '400d'], /'--older-than <duration>'.*expected a duration from 0 ms to 31536000000 ms/, 'flexq clean'],
    [['drain'], /missing required argument 'queue'/, 'flexq drain'],
    [['drain', 'q', '--timeout', 'forever'], /'--timeout <duration>' argument 'forever'/, 'flexq drain'],
    [['--config', 'x.toml', 'stats', '--bad'], /unknown option '--bad'/, 'flexq stats'],
  ])('%j', (argv, message, command) => {
    const error = usageError(...argv);
    expect(error.message).toMatch(message);
    expect(error.command).toBe(command);
  });

  it.each(['dispatch email', 'cancel j', 'retry j', 'retry --all failed', 'cancel --all pending', 'clean failed', 'drain q', 'priority j 1', 'pause q', 'resume q', 'demo'])('--read-only refuses %s', (line) => {
    const [command, second] = line.split(' ');
    const named = second === '--all' ? `${command} --all` : command;
    expect(usageError('--read-only', ...line.split(' ')).message).toBe(`'${named}' changes jobs or queues, which --read-only forbids`);
  });
});

describe('help and version', () => {
  it('--help lists every command and the exit codes', () => {
    const parsed = parse('--help');
    expect(parsed.kind).toBe('info');
    const text = parsed.kind === 'info' ? parsed.text : '';
    expect(text).toMatch(/^Usage: flexq \[options\] \[command\]/);
    for (const name of ['init', 'dispatch', 'stats', 'jobs', 'show', 'cancel', 'retry', 'priority', 'pause', 'resume', 'demo', '--headless', '--read-only', '--config']) {
      expect(text).toContain(name);
    }
    expect(text).toContain('Exit codes: 0 ok, 1 failure, 2 usage error.');
    expect(text).toContain('FLEXQ_REDIS_URL');
  });

  it.each([['-h'], ['help'], ['help', 'jobs'], ['jobs', '--help'], ['dispatch', 'email', '--priority', '3', '--help']])('%j is help', (...argv) => {
    expect(parse(...argv).kind).toBe('info');
  });

  it('help NAME prints that command\'s help, and names an unknown NAME as a usage error', () => {
    const known = parse('help', 'jobs');
    expect(known.kind === 'info' && known.text.startsWith('Usage: flexq jobs')).toBe(true);
    expect(parse('help', 'delete')).toEqual({
      kind: 'usage-error',
      message: "unknown command 'delete'; commands: init, dispatch, stats, jobs, schedules, show, cancel, retry, clean, priority, pause, resume, drain, console, demo, doctor",
      command: 'flexq',
    });
  });

  it.each([['retry-all', '--help'], ['foo', '--help'], ['foo', '-h'], ['--config', 'x.toml', 'foo', '--help']])('%j is the unknown-command error, as without --help', (...argv) => {
    const name = argv.at(-2)!;
    expect(parse(...argv)).toEqual({ kind: 'usage-error', message: expect.stringMatching(new RegExp(`^unknown command '${name}'; commands: init, dispatch`)), command: 'flexq' });
  });

  it('every command has its own help', () => {
    for (const name of ['init', 'dispatch', 'stats', 'jobs', 'show', 'cancel', 'retry', 'clean', 'priority', 'pause', 'resume', 'drain', 'console', 'demo']) {
      const parsed = parse(name, '--help');
      expect(parsed.kind === 'info' && parsed.text.startsWith(`Usage: flexq ${name}`)).toBe(true);
    }
  });

  it.each([['--version'], ['-V'], ['stats', '--version']])('%j prints the version', (...argv) => {
    expect(parse(...argv)).toEqual({ kind: 'info', text: '9.8.7\n' });
  });

  it('defaults to the package version', () => {
    expect(parseCommandLine(['--version'])).toEqual({ kind: 'info', text: '0.1.0\n' });
  });
});
