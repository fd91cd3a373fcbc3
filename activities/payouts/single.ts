import { ErrorType } from '../../common/errors';
import { recordEvent } from '../../common/outbox';
import { classifyChainError } from '../chain/errors';
import type { TxOutcome } from '../chain/tx-activities';
import type { TxSender } from '../chain/tx-sender';
import type { ActivityDeps } from '../deps';
import { permanent } from '../failures';
import { spendable } from './budget';
import { payoutRef, projectKey } from './refs';
import type { ChainVerdicts } from './verdict';

export interface SinglePayoutInput {
  distributionId: string;
  projectId: string;
  beneficiaryId: string;
  /** Token base units, as a decimal string. */
  amount: string;
}

export interface Paid {
  txHash: string;
  blockNumber: number;
}

export type Prepared = { txId: string } | { alreadyPaid: Paid };

const FINAL = ['CONFIRMED', 'FAILED', 'CANCELLED'];

/** One beneficiary paid from the treasury (the seed's Token Distribution Flow). */
export function singlePayoutActivities({ prisma, chain }: ActivityDeps, sender: TxSender, verdicts: ChainVerdicts) {
  async function confirm(payoutId: string, paid: Paid): Promise<void> {
    await prisma.$transaction(async (tx) => {
      const updated = await tx.payout.updateMany({
        where: { id: payoutId, status: { not: 'CONFIRMED' } },
        data: { status: 'CONFIRMED', txHash: paid.txHash, blockNumber: BigInt(paid.blockNumber), failureReason: null },
      });
      if (updated.count === 0) return;
      const p = await tx.payout.findUniqueOrThrow({ where: { id: payoutId } });
      await recordEvent(tx, {
        type: 'token.distributed',
        aggregateId: payoutId,
        projectId: p.projectId,
        data: { beneficiaryId: p.beneficiaryId, amount: p.amount.toFixed(), txHash: paid.txHash, blockNumber: paid.blockNumber },
      });
    });
  }

  return {
    /**
     * Creates the PENDING payout (idempotent) with the address it will pay. An id that is
     * already a batch's payout, or a payout to someone else or of another amount, is refused:
     * the treasury's guard is keyed by the id, so reusing one would pay again.
     */
    async recordDistribution(input: SinglePayoutInput): Promise<void> {
      const b = await prisma.beneficiary.findUnique({ where: { id: input.beneficiaryId }, include: { wallet: true } });
      if (!b || b.projectId !== input.projectId) {
        throw permanent(ErrorType.BeneficiaryNotFound, `beneficiary ${input.beneficiaryId} is not enrolled in project ${input.projectId}`);
      }
      if (b.status !== 'ACTIVE' || !b.wallet) {
        throw permanent(ErrorType.BeneficiaryNotActive, `beneficiary ${input.beneficiaryId} is ${b.status} and has no usable wallet`);
      }
      const p = await prisma.payout.upsert({
        where: { id: input.distributionId },
        create: {
          id: input.distributionId,
          projectId: input.projectId,
          beneficiaryId: b.id,
          walletAddress: b.wallet.address,
          amount: input.amount,
        },
        update: {},
      });
      if (
        p.batchId !== null ||
        p.beneficiaryId !== input.beneficiaryId ||
        p.projectId !== input.projectId ||
        p.amount.toFixed() !== input.amount
      ) {
        throw permanent(ErrorType.PayoutIdConflict, `payout id ${input.distributionId} is already used by another payout`);
      }
    },

    /** Signs and stores treasury.release — or reports that the chain already paid it. */
    async prepareDistributionTx({ distributionId }: { distributionId: string }): Promise<Prepared> {
      const ref = payoutRef(distributionId);
      const verdict = await verdicts.release(ref);
      // Plain data only (no bigint): it is the activity's result.
      if (verdict.state === 'paid') return { alreadyPaid: { txHash: verdict.paid.txHash, blockNumber: verdict.paid.blockNumber } };
      if (verdict.state === 'pending') throw new Error(`payout ${distributionId} is paid in a block without enough confirmations yet`);
      const p = await prisma.payout.findUniqueOrThrow({ where: { id: distributionId } });
      const args = [projectKey(p.projectId), chain.addresses.token, p.walletAddress!, BigInt(p.amount.toFixed()), ref] as const;
      const { id } = await sender.prepare(
        `payout:${distributionId}`,
        async () => {
          await spendable(chain, p.projectId, BigInt(p.amount.toFixed()));
          let gas: bigint;
          try {
            gas = await chain.treasury.getFunction('release').estimateGas(...args, { from: chain.signerAddress });
          } catch (err) {
            const c = classifyChainError(err);
            if (c.kind !== 'reverted') throw err;
            const type = c.reason === 'ERC20InsufficientBalance' ? ErrorType.InsufficientFunds : ErrorType.TransactionReverted;
            throw permanent(type, `release would revert: ${c.reason ?? c.message}`, err);
          }
          return {
            to: chain.addresses.treasury,
            data: chain.treasury.interface.encodeFunctionData('release', args),
            gasLimit: (gas * 12n) / 10n,
          };
        },
        // Fenced: a payout already marked failed (its workflow gave up) is never signed after all.
        async (tx) => {
          const [row] = await tx.$queryRaw<{ status: string }[]>`SELECT status::text FROM payouts WHERE id = ${distributionId} FOR UPDATE`;
          if (row && FINAL.includes(row.status))
            throw permanent(ErrorType.AlreadySettled, `payout ${distributionId} is already ${row.status}`);
        },
      );
      await prisma.payout.updateMany({ where: { id: distributionId, status: 'PENDING' }, data: { status: 'SIGNED' } });
      return { txId: id };
    },

    async markDistributionSubmitted({ distributionId, txHash }: { distributionId: string; txHash?: string }): Promise<void> {
      await prisma.payout.updateMany({
        where: { id: distributionId, status: { in: ['PENDING', 'SIGNED'] } },
        data: { status: 'SUBMITTED', txHash },
      });
    },

    /** Records the outcome from the treasury's own record at the confirmation depth. */
    async settleDistribution({
      distributionId,
      outcome,
    }: {
      distributionId: string;
      outcome: TxOutcome | { kind: 'paid'; paid: Paid };
    }): Promise<Paid> {
      const verdict =
        outcome.kind === 'paid' ? { state: 'paid' as const, paid: outcome.paid } : await verdicts.release(payoutRef(distributionId));
      if (verdict.state === 'paid') {
        const paid = { txHash: verdict.paid.txHash, blockNumber: verdict.paid.blockNumber };
        await confirm(distributionId, paid);
        return paid;
      }
      if (verdict.state === 'pending') throw new Error(`payout ${distributionId} is paid in a block without enough confirmations yet`);
      const tx = await prisma.chainTransaction.findUnique({ where: { purpose: `payout:${distributionId}` } });
      if (tx?.refusedReason) throw permanent(ErrorType.TransactionRefused, `the node refused the payout transaction: ${tx.refusedReason}`);
      if (outcome.kind === 'mined' && outcome.succeeded && !outcome.cancelled) {
        throw new Error(
          `payout ${distributionId}: transaction ${outcome.hash} succeeded but the treasury does not record it at the confirmation depth`,
        );
      }
      const why = outcome.kind === 'mined' ? await verdicts.revertReason(outcome.hash) : undefined;
      throw permanent(
        ErrorType.TransactionReverted,
        `payout transaction ${outcome.kind === 'mined' ? outcome.hash : ''} did not pay${why ? ` (${why})` : ''}`,
      );
    },

    async markDistributionFailed({ distributionId, reason }: { distributionId: string; reason: string }): Promise<void> {
      await prisma.payout.updateMany({
        // Never a batch's payout: a single payout that reused its id must not touch it.
        where: { id: distributionId, batchId: null, status: { not: 'CONFIRMED' } },
        data: { status: 'FAILED', failureReason: reason.slice(0, 500) },
      });
    },
  };
}
