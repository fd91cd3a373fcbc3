import { ErrorType } from '../../common/errors';
import { recordEvent } from '../../common/outbox';
import type { Chain } from '../chain/client';
import { classifyChainError } from '../chain/errors';
import type { TxOutcome } from '../chain/tx-activities';
import type { TxSender } from '../chain/tx-sender';
import type { ActivityDeps } from '../deps';
import { permanent } from '../failures';
import { payoutRef } from './refs';

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

/** The transaction that released `ref`, if any: the chain is the judge of "paid". */
export async function findRelease(chain: Chain, ref: string): Promise<Paid | undefined> {
  if (!(await chain.treasury.getFunction('released')(ref))) return undefined;
  const logs = await chain.treasury.queryFilter(chain.treasury.filters.Released!(ref), 0);
  const log = logs[0];
  if (!log) throw new Error(`released(${ref}) is true but no Released event was found yet`);
  return { txHash: log.transactionHash, blockNumber: log.blockNumber };
}

/** One beneficiary paid from the treasury (the seed's Token Distribution Flow). */
export function singlePayoutActivities({ prisma, chain }: ActivityDeps, sender: TxSender) {
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
    /** Creates the PENDING payout (idempotent) with the address it will pay. */
    async recordDistribution(input: SinglePayoutInput): Promise<void> {
      const b = await prisma.beneficiary.findUnique({ where: { id: input.beneficiaryId }, include: { wallet: true } });
      if (!b || b.projectId !== input.projectId) {
        throw permanent(ErrorType.BeneficiaryNotFound, `beneficiary ${input.beneficiaryId} is not enrolled in project ${input.projectId}`);
      }
      if (b.status !== 'ACTIVE' || !b.wallet) {
        throw permanent(ErrorType.BeneficiaryNotActive, `beneficiary ${input.beneficiaryId} is ${b.status} and has no usable wallet`);
      }
      await prisma.payout.upsert({
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
    },

    /** Signs and stores treasury.release(ref) — or reports that the chain already paid it. */
    async prepareDistributionTx({ distributionId }: { distributionId: string }): Promise<Prepared> {
      const ref = payoutRef(distributionId);
      const paid = await findRelease(chain, ref);
      if (paid) return { alreadyPaid: paid };
      const p = await prisma.payout.findUniqueOrThrow({ where: { id: distributionId } });
      const release = chain.treasury.getFunction('release');
      const args = [chain.addresses.token, p.walletAddress!, BigInt(p.amount.toFixed()), ref] as const;
      const { id } = await sender.prepare(`payout:${distributionId}`, async () => {
        let gas: bigint;
        try {
          gas = await release.estimateGas(...args, { from: chain.signerAddress });
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
      });
      await prisma.payout.updateMany({ where: { id: distributionId, status: 'PENDING' }, data: { status: 'SIGNED' } });
      return { txId: id };
    },

    async markDistributionSubmitted({ distributionId, txHash }: { distributionId: string; txHash?: string }): Promise<void> {
      await prisma.payout.updateMany({
        where: { id: distributionId, status: { in: ['PENDING', 'SIGNED'] } },
        data: { status: 'SUBMITTED', txHash },
      });
    },

    /** Records the outcome; a revert counts as paid when the chain shows an earlier release. */
    async settleDistribution({
      distributionId,
      outcome,
    }: {
      distributionId: string;
      outcome: TxOutcome | { kind: 'paid'; paid: Paid };
    }): Promise<Paid> {
      if (outcome.kind === 'paid') {
        await confirm(distributionId, outcome.paid);
        return outcome.paid;
      }
      if (outcome.kind === 'mined' && outcome.succeeded && !outcome.cancelled) {
        const paid = { txHash: outcome.hash, blockNumber: outcome.blockNumber };
        await confirm(distributionId, paid);
        return paid;
      }
      const earlier = await findRelease(chain, payoutRef(distributionId));
      if (earlier) {
        await confirm(distributionId, earlier);
        return earlier;
      }
      throw permanent(ErrorType.TransactionReverted, `payout transaction ${outcome.kind === 'mined' ? outcome.hash : ''} did not pay`);
    },

    async markDistributionFailed({ distributionId, reason }: { distributionId: string; reason: string }): Promise<void> {
      await prisma.payout.updateMany({
        where: { id: distributionId, status: { not: 'CONFIRMED' } },
        data: { status: 'FAILED', failureReason: reason.slice(0, 500) },
      });
    },
  };
}
