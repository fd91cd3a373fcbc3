/**
 * Chaos hooks for the fault-injection tests: with FAULT_INJECTION="crash-after-sign:0.2,…"
 * the worker kills itself (SIGKILL, no clean-up) at that point with that probability.
 * Unset in every real deployment, where `maybeCrash` does nothing.
 */
export const CRASH_POINTS = ['crash-after-sign', 'crash-after-broadcast', 'crash-after-mined', 'crash-before-settle'] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export type FaultPlan = Partial<Record<CrashPoint, number>>;

export function parseFaultPlan(spec: string): FaultPlan {
  const plan: FaultPlan = {};
  for (const part of spec.split(',').filter(Boolean)) {
    const [name, p] = part.split(':');
    if (!CRASH_POINTS.includes(name as CrashPoint)) throw new Error(`unknown crash point ${name}`);
    const probability = Number(p);
    if (!(probability >= 0 && probability <= 1)) throw new Error(`probability of ${name} must be within 0..1`);
    plan[name as CrashPoint] = probability;
  }
  return plan;
}

export function createFaults(plan: FaultPlan = {}) {
  return {
    maybeCrash(point: CrashPoint): void {
      const p = plan[point];
      if (p && Math.random() < p) process.kill(process.pid, 'SIGKILL');
    },
  };
}

export type Faults = ReturnType<typeof createFaults>;
