import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ActionCommand } from '../../src/cli/cli.js';
import { InvalidJobStateError, JobNotFoundError, ValidationError } from '../../src/engine/errors.js';
import { CliUsageError } from '../../src/cli/cli-errors.js';
import { ConfigError } from '../../src/config/config-errors.js';
import { runCli, type CliActions, type CliIo } from '../../src/cli/run-cli.js';
import { SAMPLE_CONFIG } from '../../src/config/sample-config.js';
import { makeJob, makeStats } from './fixtures.js';

/** The maxPayloadBytes the recording actions read a payload with. */
const PAYLOAD_LIMIT = 64;

/** Records the commands it gets and answers with fixed data, or rejects with `failWith`. */
function recordingActions(failWith?: Error) {
  const calls: ActionCommand[] = [];
  const payloads: Record<string, unknown>[] = [];
  const record = async <T>(command: ActionCommand, answer: T): Promise<T> => {
    calls.push(command);
    if (failWith !== undefined) throw failWith;
    return answer;
  };
  const actions: CliActions = {
    run: (command) => record(command, 0),
    demo: (command) => record(command, 0),
    dispatch: async (command, readPayload) => {
      payloads.push(await readPayload(PAYLOAD_LIMIT));
      return record(command, { job: makeJob({ id: 'new-job-id', type: command.type }), stored: command.uniqueKey !== 'held' });
    },
    stats: (command) => record(command, [{ queue: 'default', stats: makeStats(), paused: false }]),
    jobs: (command) => record(command, [makeJob()]),
    schedules: (command) => record(command, []),
    show: (command) => record(command, makeJob({ id: command.id })),
    cancel: (command) => record(command, undefined),
    retry: (command) => record(command, undefined),
    retryAll: (command) => record(command, [{ queue: 'default', count: 4 }]),
    cancelAll: (command) => record(command, [{ queue: 'default', count: 3 }]),
    clean: (command) => record(command, [{ queue: 'default', count: 1 }]),
    drain: (command) => record(command, 0),
    setPriority: (command) => record(command, undefined),
    pause: (command) => record(command, true),
    resume: (command) => record(command, true),
    doctor: (command) => record(command, { address: '127.0.0.1:6379', checks: [] }),
  };
  return { actions, calls, payloads };
}

function captureIo(options: { tty?: boolean; env?: Record<string, string>; cwd?: string; stdin?: string | Readable; stdinTty?: boolean } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => out.push(text), isTTY: options.tty ?? false },
    stderr: { write: (text: string) => err.push(text) },
    env: options.env ?? {},
    cwd: options.cwd ?? tmpdir(),
    stdin: Object.assign(options.stdin instanceof Readable ? options.stdin : Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]), {
      isTTY: options.stdinTty,
    }),
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

async function cli(argv: string[], options: Parameters<typeof captureIo>[0] = {}, failWith?: Error) {
  const { io, stdout, stderr } = captureIo(options);
  const { actions, calls, payloads } = recordingActions(failWith);
  const code = await runCli(argv, io, actions);
  return { code, stdout: stdout(), stderr: stderr(), calls, payloads };
}

describe('runCli', () => {
  it('--help goes to stdout with exit 0 and calls nothing', async () => {
    const result = await cli(['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '', calls: [] });
    expect(result.stdout).toMatch(/^Usage: flexq/);
  });

  it('--version goes to stdout with exit 0', async () => {
    expect(await cli(['jobs', '--version'])).toMatchObject({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it('a usage error exits 2 with the message and where to get help on stderr', async () => {
    const result = await cli(['priority', 'j1', 'high']);
    expect(result).toMatchObject({ code: 2, stdout: '', calls: [] });
    expect(result.stderr).toBe(
      "flexq: command-argument value 'high' is invalid for argument 'n'. expected an integer\nRun 'flexq priority --help' for usage.\n",
    );
  });

  it('flexq and flexq --headless hand the run to the host and return its exit code', async () => {
    expect((await cli([])).calls).toEqual([{ kind: 'run', headless: false, noWorkers: false, readOnly: false }]);
    expect((await cli(['--headless', '--config', 'x.toml'])).calls).toEqual([{ kind: 'run', headless: true, noWorkers: false, configPath: 'x.toml', readOnly: false }]);
  });

  it('retry --all and clean print how many jobs each queue had changed', async () => {
    expect(await cli(['retry', '--all', 'failed'])).toMatchObject({ code: 0, stdout: '4 failed jobs of queue default are pending again\n' });
    expect(await cli(['clean', 'completed', '--older-than', '1h'])).toMatchObject({ code: 0, stdout: 'removed 1 completed job of queue default\n' });
  });

  it('dispatch prints only the new job id', async () => {
    const result = await cli(['dispatch', 'email', '{"to":"x@y.z"}', '--priority', '2']);
    expect(result).toMatchObject({ code: 0, stdout: 'new-job-id\n', stderr: '' });
    expect(result.calls).toEqual([{ kind: 'dispatch', type: 'email', payload: { from: 'argument', payload: { to: 'x@y.z' } }, priority: 2, readOnly: false }]);
  });

  it('dispatch whose unique key is held prints the holder id, and a note on stderr that nothing was stored', async () => {
    expect(await cli(['dispatch', 'email', '--unique-key', 'free'])).toMatchObject({ code: 0, stdout: 'new-job-id\n', stderr: '' });
    expect(await cli(['dispatch', 'email', '--unique-key', 'held'])).toMatchObject({
      code: 0, stdout: 'new-job-id\n', stderr: "flexq: note: a job with unique key 'held' already exists (job new-job-id), so nothing new was stored\n",
    });
  });

  describe('dispatch reads the payload from stdin (-) or a file (@FILE)', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'flexq-payload-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });
    const HINT = "\nRun 'flexq dispatch --help' for usage.\n";

    it('takes the JSON object from either', async () => {
      expect(await cli(['dispatch', 'email', '-'], { stdin: '{"to":"a@b.c"}\n' })).toMatchObject({ code: 0, stdout: 'new-job-id\n', payloads: [{ to: 'a@b.c' }] });
      await writeFile(join(dir, 'p.json'), '{"n":[1,2]}');
      expect(await cli(['dispatch', 'email', '@p.json'], { cwd: dir })).toMatchObject({ code: 0, stdout: 'new-job-id\n', payloads: [{ n: [1, 2] }] });
    });

    it('bad JSON or an unreadable file is a usage error naming the source; nothing is dispatched', async () => {
      const fromStdin = await cli(['dispatch', 'email', '-'], { stdin: '{"to":' });
      expect(fromStdin).toMatchObject({ code: 2, stdout: '', calls: [] });
      expect(fromStdin.stderr).toMatch(/^flexq: payload from stdin: expected a JSON object such as '\{"to":"a@b.c"\}' \(.+\)\nRun 'flexq dispatch --help'/);
      expect((await cli(['dispatch', 'email', '-'], { stdin: '' })).stderr).toMatch(/^flexq: payload from stdin: expected a JSON object/);
      await writeFile(join(dir, 'list.json'), '[1]');
      expect(await cli(['dispatch', 'email', '@list.json'], { cwd: dir })).toMatchObject({
        code: 2, calls: [], stderr: `flexq: payload file list.json: expected a JSON object such as '{"to":"a@b.c"}'${HINT}`,
      });
      expect(await cli(['dispatch', 'email', '@missing.json'], { cwd: dir })).toMatchObject({
        code: 2, calls: [], stderr: `flexq: cannot read the payload file missing.json: no such file${HINT}`,
      });
      expect(await cli(['dispatch', 'email', '@.'], { cwd: dir })).toMatchObject({ code: 2, stderr: `flexq: cannot read the payload file .: it is a folder${HINT}` });
    });

    it("stops reading at four times the queue's maxPayloadBytes and says the payload is too large, naming the limit; nothing is dispatched", async () => {
      let chunksRead = 0;
      const endless = Readable.from((function* () {
        for (;;) {
          chunksRead += 1;
          yield Buffer.alloc(16, ' ');
        }
      })());
      const tooLarge = (named: string) => `flexq: ${named} is over ${4 * PAYLOAD_LIMIT} bytes as given, 4 times the queue's limit of ${PAYLOAD_LIMIT} bytes of JSON (maxPayloadBytes)${HINT}`;
      expect(await cli(['dispatch', 'email', '-'], { stdin: endless })).toMatchObject({ code: 2, calls: [], stderr: tooLarge('payload from stdin') });
      expect(chunksRead).toBeLessThan(100);
      expect(await cli(['dispatch', 'email', '@/dev/zero'])).toMatchObject({ code: 2, calls: [], stderr: tooLarge('payload file /dev/zero') });
      // Whitespace is not the payload: an indented file whose compact JSON fits goes on to the
      // engine, which holds the compact form to the limit; four times the limit as given does not.
      const compact = JSON.stringify({ s: 'x'.repeat(PAYLOAD_LIMIT - 8) });
      expect(compact).toHaveLength(PAYLOAD_LIMIT);
      const indented = JSON.stringify(JSON.parse(compact), null, 2);
      expect(indented.length).toBeGreaterThan(PAYLOAD_LIMIT);
      await writeFile(join(dir, 'indented.json'), indented);
      expect(await cli(['dispatch', 'email', '@indented.json'], { cwd: dir })).toMatchObject({ code: 0, payloads: [JSON.parse(compact)] });
      const atReadLimit = `${compact}${' '.repeat(4 * PAYLOAD_LIMIT - PAYLOAD_LIMIT)}`;
      await writeFile(join(dir, 'at-read-limit.json'), atReadLimit);
      expect(await cli(['dispatch', 'email', '@at-read-limit.json'], { cwd: dir })).toMatchObject({ code: 0 });
      await writeFile(join(dir, 'over.json'), `${atReadLimit} `);
      expect(await cli(['dispatch', 'email', '@over.json'], { cwd: dir })).toMatchObject({ code: 2, calls: [], stderr: tooLarge('payload file over.json') });
      expect(await cli(['dispatch', 'email', '-'], { stdin: `${atReadLimit} ` })).toMatchObject({ code: 2, calls: [], stderr: tooLarge('payload from stdin') });
    });

    it('says on stderr that it waits for the payload when stdin is a terminal', async () => {
      expect(await cli(['dispatch', 'email', '-'], { stdin: '{}', stdinTty: true })).toMatchObject({
        code: 0, stdout: 'new-job-id\n', stderr: 'flexq: reading the payload JSON from stdin (end with Ctrl-D)\n',
      });
      expect((await cli(['dispatch', 'email', '-'], { stdin: '{}' })).stderr).toBe('');
    });
  });

  it('stats prints a table, or JSON with --json', async () => {
    expect((await cli(['stats'])).stdout).toMatch(/^QUEUE\s+STATE\s+PENDING.*\ndefault\s+running\s+1\s+2\s+3\s+4\s+1500\s+6\s+7\n$/);
    expect(JSON.parse((await cli(['stats', '--json'])).stdout)).toEqual({ default: { ...makeStats(), paused: false } });
  });

  it('jobs prints a table, or JSON with --json, passing status, queue and limit', async () => {
    const table = await cli(['jobs', 'pending', '--queue', 'default', '--limit', '2']);
    expect(table.stdout).toMatch(/^ID\s+QUEUE\s+TYPE\s+STATUS/);
    expect(table.stdout).toContain('job-1');
    expect(table.calls).toEqual([{ kind: 'jobs', status: 'pending', queue: 'default', limit: 2, json: false, readOnly: false }]);
    const json = JSON.parse((await cli(['jobs', '--json'])).stdout) as unknown[];
    expect(json).toEqual([expect.objectContaining({ id: 'job-1', createdAt: '2026-01-31T12:00:05.123Z' })]);
  });

  it('show prints the job, or JSON', async () => {
    expect((await cli(['show', 'abc'])).stdout).toMatch(/^id\s+abc\n/);
    expect(JSON.parse((await cli(['show', 'abc', '--json'])).stdout)).toMatchObject({ id: 'abc', status: 'pending' });
  });

  it.each([
    [['cancel', 'j1'], 'cancelled job j1\n'],
    [['cancel', '--all', 'pending'], 'cancelled 3 pending jobs of queue default\n'],
    [['retry', 'j1'], 'job j1 is pending again\n'],
    [['priority', 'j1', '5'], 'job j1 now has priority 5\n'],
    [['pause', 'emails'], 'paused queue emails\n'],
    [['resume', 'emails'], 'resumed queue emails\n'],
  ])('%j confirms on stdout', async (argv, message) => {
    const result = await cli(argv);
    expect(result).toMatchObject({ code: 0, stdout: message, stderr: '' });
    expect(result.calls).toHaveLength(1);
  });

  it('demo is handed to the host', async () => {
    expect((await cli(['demo', '--count', '3'])).calls).toEqual([{ kind: 'demo', count: 3, interval: 500, readOnly: false }]);
  });

  it('a failing action exits 1 with its message on stderr', async () => {
    const result = await cli(['cancel', 'j1'], {}, new Error("job j1 is completed and cannot be cancelled"));
    expect(result).toMatchObject({ code: 1, stdout: '', stderr: 'flexq: job j1 is completed and cannot be cancelled\n' });
  });

  it('a config error is printed one issue per line, each starting with flexq:', async () => {
    const error = new ConfigError([
      { source: 'flexq.toml', path: 'redis.db', line: 2, message: 'Too small' },
      { source: 'environment variable FLEXQ_REDIS_DB', path: '', message: 'expected a non-negative integer (got "x")' },
    ]);
    expect(await cli(['stats'], {}, error)).toMatchObject({
      code: 1,
      stderr: 'flexq: flexq.toml:2: redis.db: Too small\nflexq: environment variable FLEXQ_REDIS_DB: expected a non-negative integer (got "x")\n',
    });
  });

  it('engine errors are re-worded for the shell, without the method names', async () => {
    const cases: [string[], Error, string][] = [
      [['cancel', 'j1'], new InvalidJobStateError('cancelJob', 'j1', 'completed', 'pending'), 'flexq: cannot cancel job j1: it is completed; only waiting or running jobs can be cancelled\n'],
      [['retry', 'j1'], new InvalidJobStateError('retryJob', 'j1', 'pending', 'failed'), 'flexq: cannot retry job j1: it is pending; only failed or cancelled jobs can be retried\n'],
      [['priority', 'j1', '3'], new JobNotFoundError('setPriority', 'j1', 'q'), 'flexq: cannot change the priority of job j1: not found in queue "q"\n'],
    ];
    for (const [argv, error, stderr] of cases) {
      expect(await cli(argv, {}, error)).toMatchObject({ code: 1, stderr });
    }
    // Input the engine refuses is a bad argument: exit 2.
    expect(await cli(['dispatch', 'x'], {}, new ValidationError('push', 'payload must be a plain object, got an array'))).toMatchObject({
      code: 2, stderr: "flexq: cannot dispatch the job: payload must be a plain object, got an array\nRun 'flexq dispatch --help' for usage.\n",
    });
  });

  it('an unknown queue is a usage error: exit 2', async () => {
    const result = await cli(['stats', '--queue', 'nope'], {}, new CliUsageError("queue 'nope' is not in the config (configured: default)"));
    expect(result).toMatchObject({ code: 2, stderr: "flexq: queue 'nope' is not in the config (configured: default)\nRun 'flexq stats --help' for usage.\n" });
  });

  it.each([
    ['dispatch t', 'flexq dispatch'], ['stats', 'flexq stats'], ['jobs', 'flexq jobs'], ['schedules', 'flexq schedules'],
    ['show j', 'flexq show'], ['cancel j', 'flexq cancel'], ['retry j', 'flexq retry'], ['retry --all failed', 'flexq retry'],
    ['clean failed', 'flexq clean'], ['drain q', 'flexq drain'], ['priority j 1', 'flexq priority'], ['pause q', 'flexq pause'],
    ['resume q', 'flexq resume'], ['demo', 'flexq demo'], ['doctor', 'flexq doctor'],
    // The console and the headless host are flexq itself, whose --help covers them.
    ['console', 'flexq'], ['--headless', 'flexq'],
  ])('a usage error found while running %s points to %s --help, which exists', async (line, hint) => {
    const result = await cli(line.split(' '), {}, new CliUsageError("queue 'nope' is not in the config"));
    expect(result).toMatchObject({ code: 2, stderr: `flexq: queue 'nope' is not in the config\nRun '${hint} --help' for usage.\n` });
    const help = await cli([...hint.split(' ').slice(1), '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout.startsWith(`Usage: ${hint} `), help.stdout).toBe(true);
  });

  it('colours only a terminal without NO_COLOR', async () => {
    const ansi = /\u001b\[/;
    expect((await cli(['jobs'], { tty: true })).stdout).toMatch(ansi);
    expect((await cli(['jobs'], { tty: false })).stdout).not.toMatch(ansi);
    expect((await cli(['jobs'], { tty: true, env: { NO_COLOR: '1' } })).stdout).not.toMatch(ansi);
    expect((await cli(['jobs', '--json'], { tty: true })).stdout).not.toMatch(ansi);
  });
});

describe('flexq init', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flexq-cli-init-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the sample into the current folder', async () => {
    const result = await cli(['init'], { cwd: dir });
    expect(result).toMatchObject({ code: 0, stdout: `wrote ${join(dir, 'flexq.toml')}\n`, calls: [] });
    expect(await readFile(join(dir, 'flexq.toml'), 'utf8')).toBe(SAMPLE_CONFIG);
  });

  it('refuses to overwrite without --force (exit 1), overwrites with it', async () => {
    await writeFile(join(dir, 'flexq.toml'), 'keep = 1\n');
    const refused = await cli(['init'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/flexq\.toml already exists; use --force to overwrite it/);
    expect(await readFile(join(dir, 'flexq.toml'), 'utf8')).toBe('keep = 1\n');
    expect((await cli(['init', '--force'], { cwd: dir })).code).toBe(0);
    expect(await readFile(join(dir, 'flexq.toml'), 'utf8')).toBe(SAMPLE_CONFIG);
  });
});
