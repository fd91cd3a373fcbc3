import { Contract, type EventLog, type JsonRpcProvider } from 'ethers';
import type { PrismaClient } from '../../common/db';
import { loadArtifact } from '../../contracts/artifacts';

export interface Discrepancy {
  payoutId?: string;
  chunkId: string;
  index: number;
  detail: string;
}

export interface ReconcileReport {
  batchId: string;
  payouts: number;
  confirmed: number;
  onChainPayouts: number;
  /** CONFIRMED in the database, no Payout event on chain. */
  missing: Discrepancy[];
  /** Paid on chain more than once (same chunk slot, or the same payout). */
  duplicated: Discrepancy[];
  /** Recipient, amount or transaction differ between database and chain. */
  mismatched: Discrepancy[];
  /** Paid on chain, not CONFIRMED in the database. */
  unrecorded: Discrepancy[];
  ok: boolean;
}

/** Compares a batch's payouts in the database with the disbursement contract's Payout events. */
export async function reconcileBatch(prisma: PrismaClient, provider: JsonRpcProvider, batchId: string): Promise<ReconcileReport> {
  const batch = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: batchId } });
  const payouts = await prisma.payout.findMany({ where: { batchId } });
  const chunks = await prisma.payoutChunk.findMany({ where: { batchId }, select: { id: true } });
  const d = await prisma.projectDisbursement.findUnique({ where: { projectId: batch.projectId } });
  const events: EventLog[] = [];
  if (d && chunks.length) {
    const contract = new Contract(d.address, loadArtifact('RahatDisbursement').abi, provider);
    for (let i = 0; i < chunks.length; i += 100) {
      const ids = chunks.slice(i, i + 100).map((c) => c.id);
      events.push(...((await contract.queryFilter(contract.filters.Payout!(ids), 0)) as EventLog[]));
    }
  }
  const report: ReconcileReport = {
    batchId,
    payouts: payouts.length,
    confirmed: payouts.filter((p) => p.status === 'CONFIRMED').length,
    onChainPayouts: events.length,
    missing: [],
    duplicated: [],
    mismatched: [],
    unrecorded: [],
    ok: false,
  };
  const bySlot = new Map<string, EventLog[]>();
  for (const e of events) {
    const key = `${e.args.chunkId}:${e.args.index}`;
    bySlot.set(key, [...(bySlot.get(key) ?? []), e]);
  }
  const slotOf = new Map(payouts.filter((p) => p.chunkId !== null).map((p) => [`${p.chunkId}:${p.chunkIndex}`, p]));
  for (const [key, evs] of bySlot) {
    const [chunkId, index] = [key.split(':')[0]!, Number(key.split(':')[1])];
    if (evs.length > 1) report.duplicated.push({ chunkId, index, detail: `${evs.length} Payout events for one slot` });
    const p = slotOf.get(key);
    const e = evs[0]!;
    if (!p) {
      report.unrecorded.push({ chunkId, index, detail: `paid ${e.args.amount} to ${e.args.to} with no payout in the database` });
      continue;
    }
    if (p.status !== 'CONFIRMED')
      report.unrecorded.push({ payoutId: p.id, chunkId, index, detail: `paid on chain, ${p.status} in the database` });
    if (e.args.to !== p.walletAddress || e.args.amount.toString() !== p.amount.toFixed()) {
      report.mismatched.push({
        payoutId: p.id,
        chunkId,
        index,
        detail: `chain paid ${e.args.amount} to ${e.args.to}, database says ${p.amount} to ${p.walletAddress}`,
      });
    } else if (p.status === 'CONFIRMED' && p.txHash !== e.transactionHash) {
      report.mismatched.push({ payoutId: p.id, chunkId, index, detail: `chain tx ${e.transactionHash}, database tx ${p.txHash}` });
    }
  }
  for (const p of payouts) {
    if (p.status === 'CONFIRMED' && !bySlot.has(`${p.chunkId}:${p.chunkIndex}`)) {
      report.missing.push({
        payoutId: p.id,
        chunkId: p.chunkId ?? '',
        index: p.chunkIndex ?? -1,
        detail: 'CONFIRMED without a Payout event',
      });
    }
  }
  // The same payout row paid in two slots would need two chunk assignments; count by recipient too.
  const paidTo = new Map<string, number>();
  for (const e of events) paidTo.set(e.args.to, (paidTo.get(e.args.to) ?? 0) + 1);
  const expectedTo = new Map<string, number>();
  for (const p of payouts) if (p.walletAddress) expectedTo.set(p.walletAddress, (expectedTo.get(p.walletAddress) ?? 0) + 1);
  for (const [to, n] of paidTo) {
    if (n > (expectedTo.get(to) ?? 0))
      report.duplicated.push({ chunkId: '', index: -1, detail: `${to} paid ${n} times, has ${expectedTo.get(to) ?? 0} payouts` });
  }
  report.ok = !report.missing.length && !report.duplicated.length && !report.mismatched.length && !report.unrecorded.length;
  return report;
}
