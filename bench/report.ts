import type { RunFigures } from './chain-runs';

export interface BenchResult {
  n: number;
  status: string;
  engine: RunFigures;
  baseline: RunFigures;
  ceiling: RunFigures;
  maxHistory: number;
  workflowRuns: number;
  peakRssMb: number;
  reconciled: boolean;
}

const f = (v: number, d = 1) => v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/** Figures, ratios and the issue's targets, side by side; then one JSON line for tooling. */
export function printReport(r: BenchResult): void {
  const speedup = r.engine.perSecond / r.baseline.perSecond;
  const gasRatio = r.engine.gasPerPayout / r.baseline.gasPerPayout;
  const ofCeiling = r.engine.perSecond / r.ceiling.perSecond;
  const rows: [string, string, string, boolean][] = [
    [
      'engine wall time',
      `${f(r.engine.seconds)} s for ${r.n} payouts (${r.status})`,
      '< 120 s for 100,000',
      r.n < 100_000 || r.engine.seconds < 120,
    ],
    ['engine payouts/s', f(r.engine.perSecond), '', true],
    ['naive baseline payouts/s', `${f(r.baseline.perSecond)} (${r.baseline.payouts} transfers)`, '', true],
    ['engine ÷ baseline', `${f(speedup)}×`, '≥ 20×', speedup >= 20],
    [
      'gas per payout (with the per-payout guard)',
      `${f(r.engine.gasPerPayout, 0)} (lone transfer ${f(r.baseline.gasPerPayout, 0)})`,
      '≤ 27,500',
      r.engine.gasPerPayout <= 27_500,
    ],
    ['gas ratio', `${f(gasRatio * 100)}%`, '≤ 60%', gasRatio <= 0.6],
    ['raw-chain ceiling payouts/s', f(r.ceiling.perSecond), '', true],
    ['engine ÷ ceiling', f(ofCeiling, 2), '≥ 0.5', ofCeiling >= 0.5],
    ['largest workflow history', `${r.maxHistory} events (${r.workflowRuns} batch runs and chunks)`, '< 10,240', r.maxHistory < 10_240],
    ['worker peak RSS', `${f(r.peakRssMb)} MB`, '< 512 MB', r.peakRssMb < 512],
    ['reconciliation (chain events = DB)', r.reconciled ? 'clean' : 'DISCREPANCIES', 'clean', r.reconciled],
  ];
  const width = Math.max(...rows.map((x) => x[0].length));
  process.stdout.write('\nbench:distribution\n');
  for (const [name, value, target, ok] of rows) {
    process.stdout.write(`  ${name.padEnd(width)}  ${value}${target ? `   target ${target}: ${ok ? 'met' : 'NOT met'}` : ''}\n`);
  }
  process.stdout.write(`${JSON.stringify({ ...r, speedup, gasRatio, ofCeiling })}\n`);
}
