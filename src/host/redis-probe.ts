import { createConnection, createServer } from 'node:net';

/** A host and port, as `localhost:6379` or `[::1]:6379` splits into. */
export interface HostPort {
  host: string;
  port: number;
}

/** Splits `host:port` (IPv6 hosts in brackets); throws on anything else. */
export function parseHostPort(addr: string): HostPort {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(addr);
  if (!match) throw new Error(`expected "host:port", got ${JSON.stringify(addr)}`);
  return { host: match[1] ?? match[2] ?? 'localhost', port: Number(match[3]) };
}

/**
 * True when a Redis answers at the address: a PING gets any RESP reply (`+PONG`, or `-NOAUTH`
 * from a server that wants a password, which is still a Redis that is there). Never rejects.
 */
export function redisAnswers({ host, port }: HostPort, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (answered: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answered);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.length > 0 && (data[0] === 0x2b || data[0] === 0x2d)));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
  });
}

/** True when nothing listens on the loopback port, so a child server can bind it. */
export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A loopback port the system considers free now (another process may still take it first). */
export function ephemeralPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
