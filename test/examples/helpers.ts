import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { REDIS_URL } from '../helpers.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How an example's process ended and what it printed. */
export interface ExampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Both streams, for assertion messages. */
  output: string;
}

/** Variables the examples read; cleared so the caller's shell cannot steer a test run. */
const EXAMPLE_VARIABLES = ['SMTP_HOST', 'SMTP_PORT', 'WEBHOOK_URL', 'FLEXQ_WEBHOOK_SECRET', 'FLEXQ_REDIS_PREFIX', 'EXAMPLES_OUTPUT_DIR'];

/**
 * Runs `examples/<name>/main.ts` as its own Node process (through tsx, as the READMEs say) and
 * resolves once it exits. A run still going after `timeoutMs` is killed and the call rejects with
 * what it printed, so a hanging shutdown fails the test instead of stalling the suite.
 */
export function runExample(name: string, env: Record<string, string>, timeoutMs = 45_000): Promise<ExampleRun> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, REDIS_URL, LOG_LEVEL: 'info' };
  for (const variable of EXAMPLE_VARIABLES) delete childEnv[variable];
  Object.assign(childEnv, env);
  const child = spawn(process.execPath, ['--import', 'tsx', `examples/${name}/main.ts`], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`examples/${name} still running after ${timeoutMs} ms\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, output: `--- stdout\n${stdout}\n--- stderr\n${stderr}` });
    });
  });
}

/** The job result an example printed after "job <id> completed after <n> attempt(s):". */
export function printedResult(run: ExampleRun): { attempts: number; result: Record<string, unknown> } {
  const match = /^job \S+ completed after (\d+) attempt\(s\):\n([\s\S]*)$/m.exec(run.stdout);
  if (!match?.[1] || !match[2]) throw new Error(`no completed job in the example's output\n${run.output}`);
  return { attempts: Number(match[1]), result: JSON.parse(match[2]) as Record<string, unknown> };
}

/** One message the test SMTP server received: its envelope and the parsed MIME message. */
export interface ReceivedMail {
  envelopeFrom: string;
  envelopeTo: string[];
  mail: ParsedMail;
}

export interface TestSmtpServer {
  host: string;
  port: number;
  received: ReceivedMail[];
  close(): Promise<void>;
}

/** A plain SMTP server on a loopback port that keeps every message it accepts. */
export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((mail) => {
        const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        received.push({ envelopeFrom, envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address), mail });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { host: '127.0.0.1', port, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
