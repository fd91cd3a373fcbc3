import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyFaults {
  /** Answer HTTP 502 without forwarding. */
  fail: number;
  /** Close the connection without forwarding. */
  drop: number;
  /** Forward (the node acts on it), then close the connection without answering. */
  dropAfter: number;
  /** Forward after a delay of up to `maxDelayMs`. */
  delay: number;
  maxDelayMs: number;
}

const NONE: ProxyFaults = { fail: 0, drop: 0, dropAfter: 0, delay: 0, maxDelayMs: 0 };

/** A JSON-RPC proxy in front of the node that fails, drops or delays a share of calls. */
export async function startRpcProxy(target: string) {
  let faults = NONE;
  const stats = { requests: 0, failed: 0, dropped: 0, droppedAfter: 0, delayed: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      stats.requests++;
      const roll = Math.random();
      const f = faults;
      if (roll < f.fail) {
        stats.failed++;
        res.writeHead(502).end('injected failure');
        return;
      }
      if (roll < f.fail + f.drop) {
        stats.dropped++;
        req.socket.destroy();
        return;
      }
      const after = roll < f.fail + f.drop + f.dropAfter;
      const wait = !after && roll < f.fail + f.drop + f.dropAfter + f.delay ? Math.random() * f.maxDelayMs : 0;
      if (wait) stats.delayed++;
      setTimeout(() => {
        fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) })
          .then(async (upstream) => {
            const body = await upstream.text();
            if (after) {
              stats.droppedAfter++;
              req.socket.destroy();
              return;
            }
            res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(body);
          })
          .catch(() => res.writeHead(502).end('upstream unreachable'));
      }, wait);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    setFaults(next: Partial<ProxyFaults>) {
      faults = { ...NONE, ...next };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
