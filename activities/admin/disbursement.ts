import { ContractFactory, getCreateAddress } from 'ethers';
import { ErrorType } from '../../common/errors';
import { loadArtifact } from '../../contracts/artifacts';
import type { TxOutcome } from '../chain/tx-activities';
import type { TxSender } from '../chain/tx-sender';
import { permanent } from '../failures';
import { projectKey } from '../payouts/refs';
import type { Prepared } from '../payouts/single';
import type { AdminDeps } from './deps';

/**
 * A project's disbursement contract, deployed by the admin key (which administers it) with the
 * hot key as its only disburser, and registered with the treasury so returned budget counts
 * for the project again. Each step is a crash-safe transaction keyed by the project.
 */
export function disbursementActivities({ prisma, chain, hotSigner }: AdminDeps, sender: TxSender) {
  return {
    async prepareDisbursementDeploy({ projectId }: { projectId: string }): Promise<Prepared | { deployed: string }> {
      const existing = await prisma.projectDisbursement.findUnique({ where: { projectId } });
      if (existing) return { deployed: existing.address };
      const { abi, bytecode } = loadArtifact('RahatDisbursement');
      const { id } = await sender.prepare(`deploy-disbursement:${projectId}`, async () => {
        const tx = await new ContractFactory(abi, bytecode).getDeployTransaction(
          chain.addresses.token,
          chain.addresses.treasury,
          projectKey(projectId),
          chain.signerAddress,
          hotSigner,
        );
        const gas = await chain.provider.estimateGas({ from: chain.signerAddress, data: tx.data });
        return { to: null, data: tx.data, gasLimit: (gas * 13n) / 10n };
      });
      return { txId: id };
    },

    /** The address the deployment created, checked on chain, recorded with its block. */
    async recordDisbursementDeploy({ projectId, txId, outcome }: { projectId: string; txId: string; outcome: TxOutcome }): Promise<string> {
      if (outcome.kind !== 'mined' || !outcome.succeeded || outcome.cancelled) {
        throw permanent(ErrorType.TransactionReverted, `the deployment of ${projectId}'s disbursement contract did not succeed`);
      }
      const tx = await prisma.chainTransaction.findUniqueOrThrow({ where: { id: txId } });
      const address = getCreateAddress({ from: tx.fromAddress, nonce: tx.nonce });
      if ((await chain.provider.getCode(address)) === '0x') throw new Error(`no code at ${address} yet`);
      await prisma.projectDisbursement.upsert({
        where: { projectId },
        create: { projectId, chainId: chain.chainId, address, blockNumber: BigInt(outcome.blockNumber) },
        update: {},
      });
      return address;
    },

    async prepareDisbursementRegistration({ projectId }: { projectId: string }): Promise<Prepared | { skipped: true }> {
      const d = await prisma.projectDisbursement.findUniqueOrThrow({ where: { projectId } });
      const registered: string = await chain.treasury.getFunction('disbursementOf')(projectKey(projectId));
      if (registered.toLowerCase() === d.address.toLowerCase()) return { skipped: true };
      const { id } = await sender.prepare(`register-disbursement:${projectId}`, async () => ({
        to: chain.addresses.treasury,
        data: chain.treasury.interface.encodeFunctionData('registerDisbursement', [projectKey(projectId), d.address]),
        gasLimit: 100_000n,
      }));
      return { txId: id };
    },

    async confirmDisbursementRegistration({ projectId }: { projectId: string }): Promise<void> {
      const d = await prisma.projectDisbursement.findUniqueOrThrow({ where: { projectId } });
      const registered: string = await chain.treasury.getFunction('disbursementOf')(projectKey(projectId));
      if (registered.toLowerCase() !== d.address.toLowerCase()) {
        throw permanent(ErrorType.TransactionReverted, `the treasury did not register ${d.address} for project ${projectId}`);
      }
    },
  };
}
