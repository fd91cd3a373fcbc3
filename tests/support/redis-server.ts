import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort, supervise, waitFor, type Supervised } from '../../scripts/stack/process';

/**
 * A throw-away redis-server for outage tests, on a free TCP port plus a unix socket. It can be
 * stopped, and restarted with the TCP port closed: the test subscribes through the socket
 * first, then opens the port, so the app cannot publish before the test listens.
 */
export interface TestRedis {
  port: number;
  socket: string;
  stop(): Promise<void>;
  /** Starts again with TCP closed; only the unix socket accepts connections. */
  startWithPortClosed(): Promise<void>;
  /** Opens the TCP port (CONFIG SET port, Redis 7). */
  openPort(): Promise<void>;
  /** A client on the unix socket (for the test's own subscriptions). */
  client(): Redis;
  dispose(): Promise<void>;
}

export async function startTestRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'rahat-redis-'));
  const socket = path.join(dir, 'redis.sock');
  const port = await freePort();
  let proc: Supervised | undefined;
  const clients: Redis[] = [];

  const launch = async (tcpPort: number) => {
    proc = supervise('redis-server', [
      '--port',
      String(tcpPort),
      '--bind',
      '127.0.0.1',
      '--unixsocket',
      socket,
      '--save',
      '',
      '--appendonly',
      'no',
    ]);
    await waitFor(
      async () => {
        const probe = new Redis({ path: socket, lazyConnect: true, retryStrategy: () => null });
        try {
          await probe.connect();
          return (await probe.ping()) === 'PONG';
        } finally {
          probe.disconnect();
        }
      },
      10_000,
      () => `redis-server did not start: ${proc?.output()}`,
    );
  };

  await launch(port);
  return {
    port,
    socket,
    stop: async () => {
      await proc?.stop();
    },
    startWithPortClosed: () => launch(0),
    async openPort() {
      const admin = new Redis({ path: socket });
      try {
        await admin.config('SET', 'port', String(port));
      } finally {
        admin.disconnect();
      }
    },
    client() {
      const c = new Redis({ path: socket, retryStrategy: (n) => Math.min(n * 50, 500) });
      clients.push(c);
      return c;
    },
    async dispose() {
      for (const c of clients) c.disconnect();
      await proc?.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
