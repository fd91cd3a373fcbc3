import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the stand-in saw, with what it answered ('hang': it never answered). */
export interface StandInRequest {
  n: number;
  at: number;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  answered: number | 'hang';
}

/** What to answer to the n-th request (1-based): a status, or 'hang' (headers never sent). */
export type Answer = (n: number, req: http.IncomingMessage) => number | 'hang';

/** An outside service for tests: counts every request and answers by script. */
export interface StandInService {
  url: string;
  port: number;
  requests: StandInRequest[];
  /** Replaces the script; request numbering goes on. */
  answer: Answer;
  /** JSON body of 2xx answers (default `{}`). */
  body: (n: number, req: http.IncomingMessage) => unknown;
  close(): Promise<void>;
}

export const answers = {
  always:
    (status: number): Answer =>
    () =>
      status,
  /** `failures` answers of `status`, then 200. */
  failFirst:
    (failures: number, status = 503): Answer =>
    (n) =>
      n <= failures ? status : 200,
  hang: (): Answer => () => 'hang',
};

export async function startStandIn(answer: Answer = answers.always(200), port = 0): Promise<StandInService> {
  const requests: StandInRequest[] = [];
  const hanging = new Set<http.ServerResponse>();
  const service = { requests, answer, body: () => ({}) } as unknown as StandInService;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = requests.length + 1;
      const answered = service.answer(n, req);
      requests.push({
        n,
        at: Date.now(),
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        answered,
      });
      if (answered === 'hang') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const ok = answered >= 200 && answered < 300 && answered !== 204;
      res.writeHead(answered, ok ? { 'content-type': 'application/json' } : {}).end(ok ? JSON.stringify(service.body(n, req)) : undefined);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  service.port = (server.address() as AddressInfo).port;
  service.url = `http://127.0.0.1:${service.port}`;
  service.close = () =>
    new Promise<void>((resolve) => {
      for (const res of hanging) res.destroy();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return service;
}
