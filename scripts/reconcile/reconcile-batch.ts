import { Contract, getAddress, Interface, type EventLog, type JsonRpcProvider } from 'ethers';
import { queryLogsPaged } from '../../activities/chain/log-pages';
import type { PrismaClient } from '../../common/db';
import { loadArtifact } from '../../contracts/artifacts';
import { batchKey, decodeDisburse } from '../../contracts/disbursement-codec';

export interface Discrepancy {
  payoutId?: string;
  chunkId: string;
  /** The payout's seq in its batch. */
  index: number;
  detail: string;
}

export interface ReconcileReport {
  batchId: string;
  payouts: number;
  confirmed: number;
  /** Payouts the chain paid: every transfer of every ChunkPaid transaction of the batch. */
  onChainPayouts: number;
  /** CONFIRMED in the database, not paid on chain. */
  missing: Discrepancy[];
  /** Paid on chain more than once. */
  duplicated: Discrepancy[];
  /** Recipient, amount or transaction differ between database and chain. */
  mismatched: Discrepancy[];
  /** Paid on chain, not CONFIRMED in the database. */
  unrecorded: Discrepancy[];
  ok: boolean;
}

const TRANSFER = new Interface(loadArtifact('RahatToken').abi).getEvent('Transfer')!.topicHash;

/**
 * Compares a batch's payouts in the database with what the chain did: the batch's ChunkPaid
 * events (read in bounded pages from the contract's deployment block), the payouts each of
 * those transactions carried (its calldata) and the token transfers it made, and the contract's
 * per-payout paid bits.
 */
export async function reconcileBatch(prisma: PrismaClient, provider: JsonRpcProvider, batchId: string): Promise<ReconcileReport> {
  const batch = await prisma.distributionBatch.findUniqueOrThrow({ where: { id: batchId } });
  const payouts = await prisma.payout.findMany({ where: { batchId } });
  const d = await prisma.projectDisbursement.findUnique({ where: { projectId: batch.projectId } });
  const report: ReconcileReport = {
    batchId,
    payouts: payouts.length,
    confirmed: payouts.filter((p) => p.status === 'CONFIRMED').length,
    onChainPayouts: 0,
    missing: [],
    duplicated: [],
    mismatched: [],
    unrecorded: [],
    ok: false,
  };
  const paid = new Map<number, { chunkId: string; to: string; amount: bigint; txHash: string }[]>();
  const bits = new Set<number>();
  if (d) {
    const contract = new Contract(d.address, loadArtifact('RahatDisbursement').abi, provider);
    const key = batchKey(batchId);
    const logs = (await queryLogsPaged(provider, contract, contract.filters.ChunkPaid!(key), Number(d.blockNumber ?? 0n))) as EventLog[];
    for (const log of logs) {
      const [tx, receipt] = await Promise.all([
        provider.getTransaction(log.transactionHash),
        provider.getTransactionReceipt(log.transactionHash),
      ]);
      const call = decodeDisburse(tx!.data);
      // The token's own transfers out of the contract in this transaction, in payout order.
      const transfers = receipt!.logs.filter(
        (l) => l.topics[0] === TRANSFER && getAddress(`0x${l.topics[1]!.slice(26)}`) === getAddress(d.address),
      );
      call.payouts.forEach((p, i) => {
        const t = transfers[i];
        const moved = t && getAddress(`0x${t.topics[2]!.slice(26)}`) === getAddress(p.to) && BigInt(t.data) === p.amount;
        if (!moved) {
          report.mismatched.push({
            chunkId: call.chunkId,
            index: p.seq,
            detail: `transaction ${log.transactionHash} carried seq ${p.seq} but no matching transfer`,
          });
          return;
        }
        paid.set(p.seq, [
          ...(paid.get(p.seq) ?? []),
          { chunkId: call.chunkId, to: getAddress(p.to), amount: p.amount, txHash: log.transactionHash },
        ]);
        report.onChainPayouts++;
      });
    }
    const seqs = payouts.map((p) => p.seq).filter((s): s is number => s !== null);
    for (const word of new Set(seqs.map((s) => s >> 8))) {
      const w = BigInt(await contract.getFunction('paidWord')(key, word));
      for (let b = 0; b < 256; b++) if ((w >> BigInt(b)) & 1n) bits.add(word * 256 + b);
    }
  }
  const bySeq = new Map(payouts.filter((p) => p.seq !== null).map((p) => [p.seq!, p]));
  for (const [seq, hits] of paid) {
    const p = bySeq.get(seq);
    const chunkId = hits[0]!.chunkId;
    if (hits.length > 1) report.duplicated.push({ payoutId: p?.id, chunkId, index: seq, detail: `paid ${hits.length} times` });
    if (!p) {
      report.unrecorded.push({ chunkId, index: seq, detail: `paid ${hits[0]!.amount} to ${hits[0]!.to} with no payout in the database` });
      continue;
    }
    const hit = hits[0]!;
    if (p.status !== 'CONFIRMED')
      report.unrecorded.push({ payoutId: p.id, chunkId, index: seq, detail: `paid on chain, ${p.status} in the database` });
    if (
      hit.to !== getAddress(p.walletAddress ?? '0x0000000000000000000000000000000000000000') ||
      hit.amount.toString() !== p.amount.toFixed()
    ) {
      report.mismatched.push({
        payoutId: p.id,
        chunkId,
        index: seq,
        detail: `chain paid ${hit.amount} to ${hit.to}, database says ${p.amount} to ${p.walletAddress}`,
      });
    } else if (p.status === 'CONFIRMED' && p.txHash !== hit.txHash) {
      report.mismatched.push({ payoutId: p.id, chunkId, index: seq, detail: `chain tx ${hit.txHash}, database tx ${p.txHash}` });
    }
  }
  for (const p of payouts) {
    const onChain = p.seq !== null && paid.has(p.seq);
    if (p.status === 'CONFIRMED' && !onChain) {
      report.missing.push({
        payoutId: p.id,
        chunkId: p.chunkId ?? '',
        index: p.seq ?? -1,
        detail: 'CONFIRMED without a transfer on chain',
      });
    }
    // The contract's own per-payout record must agree with both.
    if (p.seq !== null && bits.has(p.seq) !== onChain) {
      report.mismatched.push({
        payoutId: p.id,
        chunkId: p.chunkId ?? '',
        index: p.seq,
        detail: `paid bit ${bits.has(p.seq)}, transfers found ${onChain}`,
      });
    }
  }
  report.ok = !report.missing.length && !report.duplicated.length && !report.mismatched.length && !report.unrecorded.length;
  return report;
}
