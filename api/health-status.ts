/** One check as /health reports it: anything but `up` is a finding. */
export interface Reported {
  status: string;
  error?: string;
  reason?: string;
  address?: string;
}

export interface Finding {
  check: string;
  reason: string;
}

/** Without these the API cannot do its work: 503, so the load balancer stops sending to it. */
export const CRITICAL_CHECKS = ['database', 'temporal'];

/**
 * The answer's verdict from its checks, whatever they are (a check added later, such as a
 * provider's circuit breaker, is summarised the same way without touching this): a critical
 * check not up → 503 "unavailable"; any other check not up → 200 "degraded"; each named with
 * its reason in `down` or `degraded`. A list of checks (the signers) is named per address.
 */
export function summarize(checks: Record<string, Reported | Reported[]>): {
  status: 'ok' | 'degraded' | 'unavailable';
  httpStatus: 200 | 503;
  down: Finding[];
  degraded: Finding[];
} {
  const down: Finding[] = [];
  const degraded: Finding[] = [];
  for (const [name, reported] of Object.entries(checks)) {
    const list = Array.isArray(reported) ? reported : [reported];
    for (const c of list) {
      if (c.status === 'up') continue;
      const finding = {
        check: Array.isArray(reported) ? `${name}:${c.address ?? '?'}` : name,
        reason: c.error ?? c.reason ?? c.status,
      };
      (CRITICAL_CHECKS.includes(name) ? down : degraded).push(finding);
    }
  }
  const status = down.length ? 'unavailable' : degraded.length ? 'degraded' : 'ok';
  return { status, httpStatus: down.length ? 503 : 200, down, degraded };
}
