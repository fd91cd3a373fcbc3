import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { id as keccakId, type Log } from 'ethers';
import { ErrorType } from '../common/errors';
import { classifyChainError } from './chain/errors';
import type { ActivityDeps } from './deps';
import { permanent } from './failures';

export interface DistributionInput {
  distributionId: string;
  projectId: string;
  beneficiaryId: string;
  /** Token base units, as a decimal string. */
  amount: string;
}

export interface Confirmed {
  txHash: string;
  blockNumber: number;
}

/** On-chain payout reference: the treasury refuses a second release with the same ref. */
export const payoutRef = (distributionId: string) => keccakId(`distribution:${distributionId}`);

export function distributionActivities({ prisma, chain, logger, config }: ActivityDeps) {
  /** The transaction that actually released `ref`, if any: the chain is the judge of "paid". */
  async function findRelease(ref: string): Promise<Confirmed | undefined> {
    if (!(await chain.treasury.getFunction('released')(ref))) return undefined;
    const logs = (await chain.treasury.queryFilter(chain.treasury.filters.Released!(ref), 0)) as Log[];
    const log = logs[0];
    if (!log) throw new Error(`released(${ref}) is true but no Released event was found yet`);
    return { txHash: log.transactionHash, blockNumber: log.blockNumber };
  }

  return {
    /** Creates the PENDING row (idempotent) and returns where to pay. */
    async recordDistribution(input: DistributionInput): Promise<{ to: string }> {
      const beneficiary = await prisma.beneficiary.findUnique({ where: { id: input.beneficiaryId }, include: { wallet: true } });
      if (!beneficiary || beneficiary.projectId !== input.projectId) {
        throw permanent(ErrorType.BeneficiaryNotFound, `beneficiary ${input.beneficiaryId} is not enrolled in project ${input.projectId}`);
      }
      if (beneficiary.status !== 'ACTIVE' || !beneficiary.wallet) {
        throw permanent(ErrorType.BeneficiaryNotActive, `beneficiary ${input.beneficiaryId} is ${beneficiary.status} and has no usable wallet`);
      }
      await prisma.distribution.upsert({
        where: { id: input.distributionId },
        create: { id: input.distributionId, projectId: input.projectId, beneficiaryId: input.beneficiaryId, amount: input.amount },
        update: {},
      });
      return { to: beneficiary.wallet.address };
    },

    /**
     * Sends treasury.release once. On retry: an already released ref or a known transaction
     * is returned as is; a new transaction is sent only when neither exists, and the
     * contract's ref guard makes even that unable to pay twice.
     */
    async submitRelease({ distributionId, to, amount }: { distributionId: string; to: string; amount: string }): Promise<{ txHash: string }> {
      const ref = payoutRef(distributionId);
      const released = await findRelease(ref);
      if (released) return { txHash: released.txHash };
      const row = await prisma.distribution.findUniqueOrThrow({ where: { id: distributionId } });
      if (row.txHash && (await chain.provider.getTransaction(row.txHash))) return { txHash: row.txHash };
      const release = chain.treasury.getFunction('release');
      const args = [chain.addresses.token, to, BigInt(amount), ref] as const;
      try {
        await release.staticCall(...args);
      } catch (err) {
        const c = classifyChainError(err);
        if (c.kind === 'reverted') {
          const type = c.reason === 'ERC20InsufficientBalance' ? ErrorType.InsufficientFunds : ErrorType.TransactionReverted;
          throw permanent(type, `release would revert: ${c.reason ?? c.message}`, err);
        }
        throw err;
      }
      const tx = await chain.exclusive(async () => {
        try {
          return await release.send(...args);
        } catch (err) {
          // A nonce the node already saw means our local counter is stale: resync before the retry.
          if (classifyChainError(err).kind === 'nonce-too-low') chain.signer.reset();
          throw err;
        }
      });
      await prisma.distribution.update({ where: { id: distributionId }, data: { txHash: tx.hash, status: 'SUBMITTED' } });
      logger.info({ distributionId, txHash: tx.hash }, 'release submitted');
      return { txHash: tx.hash };
    },

    /** Waits for the receipt and the configured confirmations, heartbeating meanwhile. */
    async awaitConfirmation({ distributionId, txHash }: { distributionId: string; txHash: string }): Promise<Confirmed> {
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), 1000);
      try {
        const receipt = await chain.provider.waitForTransaction(txHash, config.confirmations, 30_000);
        if (!receipt) throw new Error(`no receipt for ${txHash} yet`);
        if (receipt.status === 1) return { txHash, blockNumber: receipt.blockNumber };
        // A reverted retry of a payout that another transaction already made is not a failure.
        const released = await findRelease(payoutRef(distributionId));
        if (released) return released;
        throw permanent(ErrorType.TransactionReverted, `transaction ${txHash} reverted`);
      } catch (err) {
        if (err instanceof ApplicationFailure) throw err;
        if (classifyChainError(err).kind === 'timeout') throw new Error(`still waiting for ${txHash}`, { cause: err });
        throw err;
      } finally {
        clearInterval(beat);
      }
    },

    async markDistributionConfirmed({ distributionId, txHash, blockNumber }: { distributionId: string } & Confirmed): Promise<void> {
      await prisma.distribution.update({
        where: { id: distributionId },
        data: { status: 'CONFIRMED', txHash, blockNumber: BigInt(blockNumber), failureReason: null },
      });
    },

    async markDistributionFailed({ distributionId, reason }: { distributionId: string; reason: string }): Promise<void> {
      await prisma.distribution.updateMany({
        where: { id: distributionId, status: { not: 'CONFIRMED' } },
        data: { status: 'FAILED', failureReason: reason.slice(0, 500) },
      });
    },
  };
}
