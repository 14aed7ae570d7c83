/**
 * A TCP proxy in front of Redis that loses one reply on purpose: armed with a command's text, it
 * forwards that command, lets Redis run it, then drops the connection before the reply reaches
 * the client, as a network blip or a failover does. Clients reconnect through it as usual. It can
 * also make Redis refuse chosen calls, as it refuses a function an older library lacks, and count
 * the calls made.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface FaultProxy {
  url: string;
  /** Replies dropped so far. */
  readonly drops: number;
  /** Drops the reply of the next command whose text contains `needle`. */
  dropReplyTo(needle: string): void;
  /** Commands refused so far (see refuseCallsTo). */
  readonly refusals: number;
  /**
   * Until `allowCalls`, every command with an argument equal to `name` (a script's function name,
   * functionName in src/engine/library.ts) reaches Redis with that argument misspelt, so Redis
   * answers it with an error (`Function not found`), in order with the other replies. The
   * argument must arrive in one piece: fine for small commands.
   */
  refuseCallsTo(name: string): void;
  allowCalls(): void;
  /** Starts counting the commands with an argument equal to `name` (as refuseCallsTo matches); the function reads the count. */
  countCallsTo(name: string): () => number;
  /** Resets every connection now, as a network partition or a load balancer's restart does. */
  resetAll(): void;
  /** Resets every connection and every new one until `endOutage`, as a Redis that is down does. */
  startOutage(): void;
  endOutage(): void;
  /** Holds every byte in both directions (a stalled network) until `release`. */
  hold(): void;
  /** Holds as `hold` does once the next command with an argument equal to `name` has reached Redis: its reply is held. */
  holdAfterCallTo(name: string): void;
  /** Delivers every reply `ms` later than Redis sent it, in order (0: at once again), as a far-away Redis would. */
  delayReplies(ms: number): void;
  /** Delivers what was held, in order, and forwards as usual again. */
  release(): void;
  close(): Promise<void>;
}

/** How long the proxy gives Redis to run the armed command before it cuts the connection. */
const RUN_GRACE_MS = 100;

export async function startFaultProxy(target: { host: string; port: number }): Promise<FaultProxy> {
  let armed: Buffer | undefined;
  let drops = 0;
  let refused: Buffer | undefined;
  let refusals = 0;
  const counted = new Map<string, { name: Buffer; calls: number }>();
  /** Where `chunk` has an argument equal to `name`: a whole RESP bulk string, not text inside one (the library's source). */
  const argumentsEqualTo = (chunk: Buffer, name: Buffer): number[] => {
    const found: number[] = [];
    for (let at = chunk.indexOf(name); at >= 0; at = chunk.indexOf(name, at + 1)) {
      if (chunk[at - 1] === 0x0a && chunk[at + name.length] === 0x0d) found.push(at);
    }
    return found;
  };
  /** Counts what is watched in `chunk`, then misspells each `refused` argument in its last byte (lengths stay as declared). */
  const inspect = (chunk: Buffer): Buffer => {
    for (const watched of counted.values()) watched.calls += argumentsEqualTo(chunk, watched.name).length;
    if (!refused) return chunk;
    for (const at of argumentsEqualTo(chunk, refused)) {
      chunk[at + refused.length - 1] = 0x7e; // '~': in no function's name
      refusals++;
    }
    return chunk;
  };
  let replyDelayMs = 0;
  let held: (() => void)[] | undefined;
  let holdAfter: Buffer | undefined;
  const forward = (socket: Socket, chunk: Buffer) => {
    if (held) held.push(() => socket.write(chunk));
    else socket.write(chunk);
  };
  const sockets = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let cutting = false;
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      if (!cutting && armed && chunk.includes(armed)) {
        armed = undefined;
        cutting = true;
        drops++;
        setTimeout(cut, RUN_GRACE_MS);
      }
      const holdNow = holdAfter !== undefined && argumentsEqualTo(chunk, holdAfter).length > 0;
      forward(upstream, inspect(chunk));
      if (holdNow) {
        holdAfter = undefined;
        held ??= [];
      }
    });
    // While cutting, replies are swallowed: the one armed for among them never arrives.
    upstream.on('data', (chunk: Buffer) => {
      if (cutting) return;
      // Timers of one delay fire in the order they were set, so replies keep their order.
      if (replyDelayMs > 0) setTimeout(() => forward(client, chunk), replyDelayMs);
      else forward(client, chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', cut);
      socket.on('close', () => {
        sockets.delete(socket);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    get drops() {
      return drops;
    },
    dropReplyTo(needle: string) {
      armed = Buffer.from(needle);
    },
    get refusals() {
      return refusals;
    },
    refuseCallsTo(name: string) {
      refused = Buffer.from(name);
    },
    allowCalls() {
      refused = undefined;
    },
    countCallsTo(name: string) {
      const watched = { name: Buffer.from(name), calls: 0 };
      counted.set(name, watched);
      return () => watched.calls;
    },
    resetAll() {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    startOutage() {
      down = true;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    endOutage() {
      down = false;
    },
    hold() {
      held ??= [];
    },
    holdAfterCallTo(name: string) {
      holdAfter = Buffer.from(name);
    },
    delayReplies(ms: number) {
      replyDelayMs = ms;
    },
    release() {
      const pending = held ?? [];
      held = undefined;
      for (const send of pending) send();
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
