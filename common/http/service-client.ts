import http from 'node:http';
import https from 'node:https';
import CircuitBreaker from 'opossum';
import { guardedLookup, literalIp, refusal, systemResolver, type AddressPolicy, type Resolver } from './address-policy';
import { BreakerOpenError, isAddressRefused, ServiceCallError } from './errors';

/**
 * The one HTTP client for outside services (docs/operations.md, "Outside services"): a timeout
 * per request, short retries with backoff and jitter for idempotent requests, a circuit breaker
 * (opossum) per service, and the outbound address policy checked before and during connect.
 */

export interface BreakerOptions {
  /** Failed calls in the window before the breaker may open (it opens when over half failed). */
  threshold: number;
  /** How long it stays open before one probe call is let through. */
  resetTimeoutMs: number;
  /** The rolling window failures are counted in (default 10 s). */
  windowMs?: number;
}

export interface ServiceClientOptions {
  /** `webhook:<id>`, `partner:<name>`: names the breaker in /health and metrics. */
  name: string;
  /** The whole request: connect, headers and body. */
  timeoutMs: number;
  /** Extra tries inside one call, for idempotent requests only (default 0). */
  retries?: number;
  /** Delay before the n-th retry: half of min(maxMs, initialMs·2^(n-1)) plus up to as much again at random. */
  backoff?: { initialMs: number; maxMs: number };
  breaker: BreakerOptions;
  addressPolicy: AddressPolicy;
  resolve?: Resolver;
  /** A larger body fails the call (default 16 MiB). */
  maxResponseBytes?: number;
  random?: () => number;
  onEvent?: (event: ServiceEvent) => void;
}

export interface ServiceRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Safe to send twice? Default: GET, HEAD and OPTIONS are. Only idempotent requests are retried here. */
  idempotent?: boolean;
  /** Answer as soon as the status is known; the body is discarded (default false). */
  discardBody?: boolean;
  signal?: AbortSignal;
}

export interface ServiceResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text(): string;
  json(): unknown;
}

export type BreakerState = 'closed' | 'open' | 'halfOpen';
export type CallOutcome = 'ok' | 'http_error' | 'timeout' | 'network_error' | 'refused' | 'rejected';
export type ServiceEvent =
  { kind: 'call'; service: string; outcome: CallOutcome; seconds: number } | { kind: 'state'; service: string; state: BreakerState };

export interface ServiceState {
  service: string;
  breaker: BreakerState;
  /** When an open breaker lets the next probe through (epoch ms). */
  retryAt?: number;
  lastUsedAt: number;
}

export interface ServiceClient {
  readonly name: string;
  /**
   * Resolves with any answer the service gave (the caller judges 4xx; 5xx and 429 count against
   * the breaker and are retried when idempotent, and the last one is returned). Rejects with
   * `ECIRCUITOPEN` (nothing sent), `EADDRREFUSED` (policy), or ServiceCallError (no answer).
   */
  request(url: string, req?: ServiceRequest): Promise<ServiceResponse>;
  state(): ServiceState;
  close(): void;
}

/** A 5xx or 429 answer, thrown inside the breaker so that it counts as a failure. */
class FailedAnswer extends Error {
  constructor(readonly response: ServiceResponse) {
    super(`HTTP ${response.status}`);
  }
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);
const MIN_RETRY_AFTER_MS = 1000;

export function createServiceClient(opts: ServiceClientOptions): ServiceClient {
  const { name, timeoutMs, addressPolicy } = opts;
  const random = opts.random ?? Math.random;
  const backoff = opts.backoff ?? { initialMs: 200, maxMs: 2000 };
  const maxBytes = opts.maxResponseBytes ?? 16 * 1024 * 1024;
  const emit = opts.onEvent ?? (() => undefined);
  // Idle kept-alive sockets close after 4 s (as undici's do), before most servers close them under
  // us; a busy webhook still reuses its connections. Every new connection goes through the lookup.
  const agentOptions = {
    keepAlive: true,
    timeout: 4000,
    maxSockets: 16,
    lookup: guardedLookup(addressPolicy, opts.resolve ?? systemResolver),
  };
  const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) };
  let lastUsedAt = Date.now();
  let openedAt = 0;

  const breaker = new CircuitBreaker(
    async (target: URL, req: ServiceRequest) => {
      const started = performance.now();
      try {
        const res = await send(target, req);
        const failed = res.status >= 500 || res.status === 429;
        emit({ kind: 'call', service: name, outcome: failed ? 'http_error' : 'ok', seconds: (performance.now() - started) / 1000 });
        if (failed) throw new FailedAnswer(res);
        return res;
      } catch (err) {
        if (!(err instanceof FailedAnswer))
          emit({ kind: 'call', service: name, outcome: outcomeOf(err), seconds: (performance.now() - started) / 1000 });
        throw err;
      }
    },
    {
      name,
      timeout: false, // send() has its own, which also aborts the socket
      resetTimeout: opts.breaker.resetTimeoutMs,
      volumeThreshold: opts.breaker.threshold,
      errorThresholdPercentage: 50,
      rollingCountTimeout: opts.breaker.windowMs ?? 10_000,
      rollingCountBuckets: 10,
      enableSnapshots: false,
      // A refused address says nothing about the service's health; the caller cancelling neither.
      errorFilter: (err: unknown) => isAddressRefused(err) || (err as { code?: string }).code === 'ECANCELLED',
    },
  );
  breaker.on('open', () => {
    openedAt = Date.now();
    emit({ kind: 'state', service: name, state: 'open' });
  });
  breaker.on('halfOpen', () => emit({ kind: 'state', service: name, state: 'halfOpen' }));
  breaker.on('close', () => emit({ kind: 'state', service: name, state: 'closed' }));

  const stateOf = (): BreakerState => (breaker.opened ? 'open' : breaker.halfOpen ? 'halfOpen' : 'closed');
  const retryAfterMs = () => Math.max(MIN_RETRY_AFTER_MS, openedAt + opts.breaker.resetTimeoutMs - Date.now());

  function send(target: URL, req: ServiceRequest): Promise<ServiceResponse> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timeout]) : timeout;
    return new Promise((resolve, reject) => {
      const fail = (err: NodeJS.ErrnoException) => reject(callError(err, timeout, req.signal));
      const outgoing = (target.protocol === 'https:' ? https : http).request(
        target,
        {
          method: req.method ?? 'GET',
          headers: { 'user-agent': 'rahat-temporal/1', ...req.headers },
          agent: agents[target.protocol as 'http:' | 'https:'],
          signal,
        },
        (res) => {
          const answer = (body: Buffer): ServiceResponse => ({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            text: () => body.toString('utf8'),
            json: () => JSON.parse(body.toString('utf8')) as unknown,
          });
          res.on('error', fail);
          if (req.discardBody) {
            res.resume();
            return resolve(answer(Buffer.alloc(0)));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > maxBytes) {
              res.destroy();
              reject(new ServiceCallError(name, 'ERESPONSETOOLARGE', `${name} answered more than ${maxBytes} bytes`));
            } else chunks.push(c);
          });
          res.on('end', () => resolve(answer(Buffer.concat(chunks))));
        },
      );
      outgoing.on('error', fail);
      outgoing.end(req.body);
    });
  }

  function callError(err: NodeJS.ErrnoException, timeout: AbortSignal, caller?: AbortSignal): Error {
    if (isAddressRefused(err)) return err;
    if (caller?.aborted) return new ServiceCallError(name, 'ECANCELLED', `call to ${name} cancelled`, { cause: err });
    if (timeout.aborted) return new ServiceCallError(name, 'ETIMEDOUT', `${name} did not answer within ${timeoutMs} ms`, { cause: err });
    const code = err.code ?? 'ENETWORK';
    return new ServiceCallError(name, code, `${name}: ${code}${err.message && err.message !== code ? ` (${err.message})` : ''}`, {
      cause: err,
    });
  }

  return {
    name,
    async request(url, req = {}) {
      lastUsedAt = Date.now();
      const target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:')
        throw new ServiceCallError(name, 'EPROTOCOL', `${target.protocol} is not http(s)`);
      const ip = literalIp(target);
      const refused = ip ? refusal(ip, addressPolicy) : undefined;
      if (refused) {
        emit({ kind: 'call', service: name, outcome: 'refused', seconds: 0 });
        throw refused;
      }
      const idempotent = req.idempotent ?? IDEMPOTENT.has((req.method ?? 'GET').toUpperCase());
      const tries = idempotent ? (opts.retries ?? 0) + 1 : 1;
      for (let attempt = 1; ; attempt++) {
        try {
          return (await breaker.fire(target, req)) as ServiceResponse;
        } catch (err) {
          if ((err as { code?: string }).code === 'EOPENBREAKER') {
            emit({ kind: 'call', service: name, outcome: 'rejected', seconds: 0 });
            throw new BreakerOpenError(name, retryAfterMs());
          }
          const again = attempt < tries && (err instanceof FailedAnswer || retryableCode(err));
          if (!again) {
            if (err instanceof FailedAnswer) return err.response;
            throw err;
          }
          const base = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (attempt - 1));
          await new Promise((r) => setTimeout(r, base / 2 + (random() * base) / 2));
        }
      }
    },
    state() {
      const breakerState = stateOf();
      return {
        service: name,
        breaker: breakerState,
        retryAt: breakerState === 'open' ? openedAt + opts.breaker.resetTimeoutMs : undefined,
        lastUsedAt,
      };
    },
    close() {
      breaker.shutdown();
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function retryableCode(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return err instanceof ServiceCallError && code !== 'ECANCELLED' && code !== 'ERESPONSETOOLARGE';
}

function outcomeOf(err: unknown): CallOutcome {
  if (isAddressRefused(err)) return 'refused';
  return (err as { code?: string }).code === 'ETIMEDOUT' ? 'timeout' : 'network_error';
}
