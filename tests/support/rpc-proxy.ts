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

interface RpcCall {
  id: unknown;
  method: string;
  params?: unknown[];
}

/**
 * A JSON-RPC proxy in front of the node that fails, drops or delays a share of calls and, with
 * `maxLogRange`, refuses eth_getLogs over more blocks than that, as hosted RPC providers do.
 */
export async function startRpcProxy(target: string, opts: { maxLogRange?: number } = {}) {
  let faults = NONE;
  const stats = { requests: 0, failed: 0, dropped: 0, droppedAfter: 0, delayed: 0, refusedLogRanges: 0 };
  const blockOf = async (tag: unknown): Promise<number> => {
    if (tag === undefined || tag === 'latest' || tag === 'pending' || tag === 'safe' || tag === 'finalized') {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
      });
      return Number(((await res.json()) as { result: string }).result);
    }
    return tag === 'earliest' ? 0 : Number(tag);
  };
  /** The error a capped provider answers, or undefined when the call may pass. */
  const refusal = async (call: RpcCall): Promise<object | undefined> => {
    if (opts.maxLogRange === undefined || call.method !== 'eth_getLogs') return undefined;
    const filter = (call.params?.[0] ?? {}) as { fromBlock?: unknown; toBlock?: unknown; blockHash?: unknown };
    if (filter.blockHash) return undefined;
    const span = (await blockOf(filter.toBlock)) - (await blockOf(filter.fromBlock ?? 'latest')) + 1;
    if (span <= opts.maxLogRange) return undefined;
    stats.refusedLogRanges++;
    return {
      jsonrpc: '2.0',
      id: call.id,
      error: { code: -32005, message: `query exceeds max block range ${opts.maxLogRange} (asked for ${span} blocks)` },
    };
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      stats.requests++;
      if (opts.maxLogRange !== undefined) {
        const parsed = JSON.parse(Buffer.concat(chunks).toString() || 'null') as RpcCall | RpcCall[] | null;
        const calls = Array.isArray(parsed) ? parsed : parsed ? [parsed] : [];
        const refused = await Promise.all(calls.map(refusal));
        if (refused.some(Boolean)) {
          // Answer each call of the request: refused ones with the error, the rest from the node.
          const answers = await Promise.all(
            calls.map(async (c, i) => {
              if (refused[i]) return refused[i];
              const upstream = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
              return upstream.json();
            }),
          );
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Array.isArray(parsed) ? answers : answers[0]));
          return;
        }
      }
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
