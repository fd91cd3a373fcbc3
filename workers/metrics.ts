import type { MetricHistogram, MetricMeter } from '@temporalio/common';
import type { RuntimeOptions } from '@temporalio/worker';
import { FetchRequest } from 'ethers';
import type { Config } from '../common/config';
import { breakerStateValue } from '../common/http/breaker-board';
import type { ServiceClients } from '../common/http/service-clients';

const CHAIN_CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The worker's /metrics (docs/operations.md): the Temporal SDK's own Prometheus exporter, which
 * serves the SDK's metrics (workflows completed / failed by type, task latencies, pollers) and
 * the custom ones recorded through `Runtime.instance().metricMeter`. Port 0 turns it off.
 */
export function workerTelemetry(config: Config['workerMetrics']): RuntimeOptions['telemetryOptions'] {
  if (config.port === 0) return undefined;
  return {
    metrics: {
      prometheus: {
        bindAddress: `${config.host}:${config.port}`,
        countersTotalSuffix: true,
        unitSuffix: true,
        useSecondsForDurations: true,
        histogramBucketOverrides: { rahat_chain_call_duration: CHAIN_CALL_BUCKETS },
      },
    },
  };
}

let histogram: MetricHistogram | undefined;
let hooked = false;

/**
 * Times every JSON-RPC call ethers makes in this process (`rahat_chain_call_duration_seconds`
 * by method and outcome), by wrapping ethers' global HTTP fetcher: no chain code has to change.
 * Returns a function that stops recording (the hook itself stays, doing nothing).
 */
export function recordChainCallLatency(meter: MetricMeter): () => void {
  histogram = meter.createHistogram('rahat_chain_call_duration', 'float', 'seconds', 'JSON-RPC call latency by method and outcome');
  if (!hooked) {
    hooked = true;
    const base = FetchRequest.createGetUrlFunc();
    FetchRequest.registerGetUrl(async (req, signal) => {
      const started = performance.now();
      let outcome = 'error';
      try {
        const res = await base(req, signal);
        outcome = res.statusCode < 400 ? 'ok' : 'http_error';
        return res;
      } finally {
        histogram?.record((performance.now() - started) / 1000, { method: rpcMethod(req.body), outcome });
      }
    });
  }
  return () => {
    histogram = undefined;
  };
}

/** The JSON-RPC method of a request body, without parsing a possibly large raw transaction. */
function rpcMethod(body: Uint8Array | null): string {
  if (!body) return 'unknown';
  const head = Buffer.from(body.subarray(0, 200)).toString('utf8');
  if (head.trimStart().startsWith('[')) return 'batch';
  return /"method"\s*:\s*"([A-Za-z0-9_]{1,64})"/.exec(head)?.[1] ?? 'unknown';
}

/**
 * The outside services' breakers and calls in this worker (docs/operations.md, "Outside
 * services"): `rahat_outbound_breaker_state{service}` (0 closed, 1 half-open, 2 open) and
 * `rahat_outbound_requests_total{service,outcome}` (ok, http_error, timeout, network_error,
 * refused, rejected: not sent because the breaker is open).
 */
export function recordOutboundMetrics(meter: MetricMeter, clients: ServiceClients): void {
  const state = meter.createGauge(
    'rahat_outbound_breaker_state',
    'int',
    undefined,
    'Circuit breaker per outside service: 0 closed, 1 half-open, 2 open',
  );
  const calls = meter.createCounter('rahat_outbound_requests', undefined, 'Calls to outside services by service and outcome');
  const seen = new Set<string>();
  clients.subscribe((e) => {
    if (e.kind === 'state') state.set(breakerStateValue(e.state), { service: e.service });
    else {
      if (!seen.has(e.service)) state.set(0, { service: e.service });
      seen.add(e.service);
      calls.add(1, { service: e.service, outcome: e.outcome });
    }
  });
}
