import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A test-only request header: the client address the proxy should act as if it saw (then stripped). */
export const CLIENT_ADDRESS_HEADER = 'x-test-client-address';
/** A response header the proxy adds: which backend answered (its index in `backends`); sent in a request, it picks that one. */
export const BACKEND_HEADER = 'x-test-backend';

export interface RoundRobinProxy {
  url: string;
  /** How many requests each backend got. */
  hits: number[];
  close(): Promise<void>;
}

/**
 * A reverse proxy in front of several API instances, one port, round-robin, a fresh upstream
 * connection per request. Like nginx's `proxy_add_x_forwarded_for`, it appends the address of
 * the client it saw to X-Forwarded-For; a test names that address with x-test-client-address,
 * which is how several clients are played from one machine; x-test-backend sends a request to
 * one backend.
 */
export async function startRoundRobinProxy(backends: string[]): Promise<RoundRobinProxy> {
  const hits = backends.map(() => 0);
  let next = 0;
  const agent = new http.Agent({ keepAlive: false });
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    const pinned = headers[BACKEND_HEADER] as string | undefined;
    const index = pinned === undefined ? next++ % backends.length : Number(pinned);
    hits[index]! += 1;
    const target = new URL(req.url ?? '/', backends[index]);
    const client = (headers[CLIENT_ADDRESS_HEADER] as string | undefined) ?? req.socket.remoteAddress ?? '';
    delete headers[CLIENT_ADDRESS_HEADER];
    delete headers[BACKEND_HEADER];
    const forwarded = headers['x-forwarded-for'];
    headers['x-forwarded-for'] = forwarded ? `${String(forwarded)}, ${client}` : client;
    headers.host = target.host;
    const upstream = http.request(target, { method: req.method, headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { ...answer.headers, [BACKEND_HEADER]: String(index) });
      answer.pipe(res);
    });
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain', [BACKEND_HEADER]: String(index) });
      res.end(`proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
        agent.destroy();
      }),
  };
}
