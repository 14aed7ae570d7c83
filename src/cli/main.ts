#!/usr/bin/env node
/** The `flexq` executable: parses the command line, runs it against the engine, sets the exit code. */
import type { RunHost } from './actions.js';
import { lazyCliActions } from './lazy-actions.js';
import { runCli } from './run-cli.js';
import { presentText } from '../shared/present.js';
import { sanitize } from '../shared/sanitize.js';
import { routeClientWarnings } from '../shared/client-warnings.js';

// A stray rejection (a Redis call that failed while the connection was away, say) must not take a
// running worker host down; it is reported, and the engine's own retry keeps the work going.
process.on('unhandledRejection', (reason) => {
  const message = reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  // Masked like every other output: a stray error may quote a URL with its password, or a reply.
  process.stderr.write(`flexq: unexpected error, kept running: ${sanitize(presentText(message))}\n`);
});

// The worker host (workers, metrics, console) loads only when asked for, so one-shot commands start fast.
const runHost: RunHost = async (command, io) => (await import('../host/run-host.js')).runHost(command, io);

// The Redis client's own warnings, as flexq's (a host sends them to its log instead, run-host.ts).
routeClientWarnings((message) => process.stderr.write(`flexq: warning from the Redis client: ${sanitize(presentText(message))}\n`));

const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
// The command line is parsed before the config schema, the Redis client and the engine load, so
// help, version and usage errors start fast; each command then loads what it uses.
const actions = lazyCliActions(async () => (await import('./actions.js')).createCliActions(io, runHost));
process.exitCode = await runCli(process.argv.slice(2), io, actions);

