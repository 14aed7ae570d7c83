/**
 * Private redis-servers for the security tests: one that speaks only TLS (with a CA and a server
 * certificate made by openssl in a temp dir), and one whose ACL users the tests create.
 * Each is stopped by pid; nothing is shared with the machine's Redis.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { freePort, startPrivateRedis, waitFor, type PrivateRedis } from '../helpers.js';

/** A CA, a server certificate for 127.0.0.1 signed by it, and an unrelated CA. */
export interface TestPki {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** PEM of the CA that signed the server certificate. */
  ca: string;
  /** PEM of a CA that signed nothing here. */
  otherCa: string;
  remove(): void;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
  openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=flexq test ${name}`);
}

/** Makes the certificates with openssl (RSA 2048, valid 2 days) in a fresh temp dir. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'flexq-tls-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  // Clients check the IP address against the certificate's subjectAltName, not its CN.
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName = IP:127.0.0.1\n');
  openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2',
    '-extfile', 'server.ext');
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    certFile: join(dir, 'server.crt'),
    keyFile: join(dir, 'server.key'),
    ca: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    otherCa: readFileSync(join(dir, 'other-ca.crt'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * True when this redis-server was built with TLS (Debian's is; a plain `make` build is not). A
 * TLS build asked for a TLS port without certificates says "No tls-cert-file configured" and
 * exits; one without TLS does not know the directive.
 */
export function redisHasTls(): boolean {
  const run = spawnSync('redis-server', ['--port', '0', '--tls-port', '1', '--save', ''], { encoding: 'utf8', timeout: 5_000 });
  return /tls-cert-file/i.test(`${run.stdout}${run.stderr}`);
}

/** A private redis-server that listens only on a TLS port. */
export interface TlsRedis {
  port: number;
  stop(): Promise<void>;
}

/** Resolves once a TLS handshake with the server succeeds (trusting `ca`). */
function handshakes(port: number, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, timeout: 1_000 }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export async function startTlsRedis(pki: TestPki): Promise<TlsRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', [
    '--bind', '127.0.0.1', '--port', '0', '--tls-port', String(port),
    '--tls-cert-file', pki.certFile, '--tls-key-file', pki.keyFile, '--tls-ca-cert-file', pki.caFile,
    '--tls-auth-clients', 'no', '--save', '', '--appendonly', 'no',
  ], { stdio: 'ignore' });
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { gone = true; resolve(); }));
  await waitFor(`TLS redis-server on port ${port}`, async () => {
    if (gone) throw new Error(`TLS redis-server on port ${port} exited before it answered`);
    return handshakes(port, pki.ca);
  }, { timeoutMs: 10_000, intervalMs: 50 });
  return {
    port,
    stop: async () => {
      if (!gone) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A private plain redis-server on a free port (for ACL users the tests create and drop with it). */
export async function startAclRedis(): Promise<PrivateRedis> {
  return startPrivateRedis(await freePort());
}
