import { ErrorType } from '../../common/errors';
import { classifyChainError } from '../chain/errors';
import type { TxOutcome } from '../chain/tx-activities';
import type { TxSender } from '../chain/tx-sender';
import { permanent } from '../failures';
import { projectKey, treasuryOpRef } from '../payouts/refs';
import type { Paid, Prepared } from '../payouts/single';
import type { AdminDeps } from './deps';

/**
 * Admin actions on the treasury: a project's budget (its allowance for the hot key), minting
 * into the treasury, the pause switch. Allowance changes carry an on-chain ref, so a replay can
 * never apply one twice even without the database.
 */
export function treasuryOperationActivities({ prisma, chain }: AdminDeps, sender: TxSender) {
  const load = (operationId: string) => prisma.treasuryOperation.findUniqueOrThrow({ where: { id: operationId } });

  function call(op: Awaited<ReturnType<typeof load>>): { to: string; data: string } {
    const t = chain.treasury.interface;
    const amount = op.amount ? BigInt(op.amount.toFixed()) : 0n;
    const ref = treasuryOpRef(op.id);
    switch (op.kind) {
      case 'INCREASE_ALLOWANCE':
        return { to: chain.addresses.treasury, data: t.encodeFunctionData('increaseAllowance', [projectKey(op.projectId!), amount, ref]) };
      case 'DECREASE_ALLOWANCE':
        return { to: chain.addresses.treasury, data: t.encodeFunctionData('decreaseAllowance', [projectKey(op.projectId!), amount, ref]) };
      case 'MINT':
        return { to: chain.addresses.token, data: chain.token.interface.encodeFunctionData('mint', [chain.addresses.treasury, amount]) };
      case 'PAUSE':
        return { to: chain.addresses.treasury, data: t.encodeFunctionData('pause') };
      case 'UNPAUSE':
        return { to: chain.addresses.treasury, data: t.encodeFunctionData('unpause') };
    }
  }

  const isAllowance = (kind: string) => kind === 'INCREASE_ALLOWANCE' || kind === 'DECREASE_ALLOWANCE';

  async function applied(op: Awaited<ReturnType<typeof load>>): Promise<Paid | undefined> {
    const block = BigInt(await chain.treasury.getFunction('appliedAt')(treasuryOpRef(op.id)));
    if (block === 0n) return undefined;
    const [log] = await chain.treasury.queryFilter(
      chain.treasury.filters.AllowanceChanged!(null, treasuryOpRef(op.id)),
      Number(block),
      Number(block),
    );
    return { txHash: log?.transactionHash ?? '', blockNumber: Number(block) };
  }

  return {
    async prepareTreasuryOperation({ operationId }: { operationId: string }): Promise<Prepared> {
      const op = await load(operationId);
      if (isAllowance(op.kind)) {
        const done = await applied(op);
        if (done) return { alreadyPaid: done };
      }
      const { id } = await sender.prepare(`treasury-op:${op.id}`, async () => {
        const tx = call(op);
        try {
          const gas = await chain.provider.estimateGas({ ...tx, from: chain.signerAddress });
          return { ...tx, gasLimit: (gas * 13n) / 10n };
        } catch (err) {
          const c = classifyChainError(err);
          if (c.kind !== 'reverted') throw err;
          throw permanent(ErrorType.TransactionReverted, `${op.kind} would revert: ${c.reason ?? c.message}`, err);
        }
      });
      return { txId: id };
    },

    async recordTreasuryOperation({
      operationId,
      outcome,
    }: {
      operationId: string;
      outcome: TxOutcome | { kind: 'paid'; paid: Paid };
    }): Promise<{ status: string }> {
      const op = await load(operationId);
      let paid: Paid | undefined;
      if (outcome.kind === 'paid') paid = outcome.paid;
      else if (isAllowance(op.kind)) paid = await applied(op);
      else if (outcome.kind === 'mined' && outcome.succeeded && !outcome.cancelled)
        paid = { txHash: outcome.hash, blockNumber: outcome.blockNumber };
      if (!paid) {
        await prisma.treasuryOperation.update({
          where: { id: operationId },
          data: { status: 'FAILED', failureReason: 'the transaction did not apply on chain' },
        });
        return { status: 'FAILED' };
      }
      await prisma.treasuryOperation.update({
        where: { id: operationId },
        data: { status: 'CONFIRMED', txHash: paid.txHash, blockNumber: BigInt(paid.blockNumber), failureReason: null },
      });
      return { status: 'CONFIRMED' };
    },

    async markTreasuryOperationFailed({ operationId, reason }: { operationId: string; reason: string }): Promise<void> {
      await prisma.treasuryOperation.updateMany({
        where: { id: operationId, status: 'PENDING' },
        data: { status: 'FAILED', failureReason: reason.slice(0, 500) },
      });
    },
  };
}
