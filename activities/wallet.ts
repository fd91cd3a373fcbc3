import { Contract } from 'ethers';
import { ErrorType } from '../common/errors';
import { recordEvent } from '../common/outbox';
import { loadArtifact } from '../contracts/artifacts';
import type { TxOutcome } from './chain/tx-activities';
import type { TxSender } from './chain/tx-sender';
import type { ActivityDeps } from './deps';
import { permanent } from './failures';
import { insertWallets } from './beneficiary-rows';
import { walletPlanner, type WalletPlanner } from './wallet-derivation';

/** Gas for one clone + initialise, with headroom (the contract test bounds it below 100k). */
export const DEPLOY_GAS_PER_WALLET = 120_000n;

/**
 * The factory and an off-chain planner for its addresses, built on first use (and once per
 * worker): building activities must touch nothing, as tests list them with empty deps.
 */
export function walletFactoryAccess({ chain, config }: Pick<ActivityDeps, 'chain' | 'config'>) {
  let factory: Contract | undefined;
  let planner: Promise<WalletPlanner> | undefined;
  const access = {
    factory(): Contract {
      factory ??= new Contract(chain.addresses.walletFactory, loadArtifact('RahatWalletFactory').abi, chain.provider);
      return factory;
    },
    planner(): Promise<WalletPlanner> {
      planner ??= (access.factory().getFunction('implementation')() as Promise<string>)
        .then((implementation) =>
          walletPlanner({ masterSecret: config.walletMasterSecret, factory: chain.addresses.walletFactory, implementation }),
        )
        .catch((err: unknown) => {
          planner = undefined;
          throw err;
        });
      return planner;
    },
  };
  return access;
}

export type WalletFactoryAccess = ReturnType<typeof walletFactoryAccess>;

/** The wallet steps of a single registration: plan and store the address, deploy, confirm. */
export function walletActivities({ prisma, chain }: ActivityDeps, sender: TxSender, access: WalletFactoryAccess) {
  return {
    /** Idempotent by beneficiary: a retry keeps the first address. `externalAddress` is brought by the person. */
    async createWallet({ beneficiaryId, externalAddress }: { beneficiaryId: string; externalAddress?: string | null }) {
      const wallet = externalAddress
        ? { beneficiaryId, address: externalAddress, kind: 'EXTERNAL' as const }
        : { beneficiaryId, address: (await access.planner()).plan(beneficiaryId).address, kind: 'SMART' as const };
      return prisma.$transaction(async (tx) => {
        const [inserted] = await insertWallets(tx, [wallet]);
        const row = await tx.wallet.findUnique({ where: { beneficiaryId } });
        if (!row)
          throw permanent(ErrorType.DuplicateBeneficiary, `walletAddress of ${beneficiaryId} is already used by another beneficiary`);
        if (inserted) {
          const { projectId } = await tx.beneficiary.findUniqueOrThrow({ where: { id: beneficiaryId }, select: { projectId: true } });
          await recordEvent(tx, {
            type: 'wallet.created',
            aggregateId: beneficiaryId,
            projectId,
            data: { address: row.address, kind: row.kind },
          });
        }
        return { address: row.address, kind: row.kind };
      });
    },

    /** Signs and stores the factory call, unless the wallet needs none (external, or already on chain). */
    async prepareWalletDeployment({ beneficiaryId }: { beneficiaryId: string }): Promise<{ txId: string } | { skipped: true }> {
      const wallet = await prisma.wallet.findUniqueOrThrow({ where: { beneficiaryId } });
      if (wallet.kind === 'EXTERNAL' || wallet.deployedAt) return { skipped: true };
      if ((await chain.provider.getCode(wallet.address)) !== '0x') return { skipped: true };
      const { owner, salt } = (await access.planner()).plan(beneficiaryId);
      const { id } = await sender.prepare(`wallet:${beneficiaryId}`, async () => ({
        to: chain.addresses.walletFactory,
        data: access.factory().interface.encodeFunctionData('deploy', [owner, salt]),
        gasLimit: DEPLOY_GAS_PER_WALLET + 60_000n,
      }));
      return { txId: id };
    },

    /** The chain is the judge: the wallet counts as deployed once its code is there. */
    async confirmWalletDeployment({ beneficiaryId, outcome }: { beneficiaryId: string; outcome: TxOutcome | { kind: 'none' } }) {
      const wallet = await prisma.wallet.findUniqueOrThrow({ where: { beneficiaryId } });
      if (wallet.kind === 'EXTERNAL') return { deployed: false };
      if ((await chain.provider.getCode(wallet.address)) === '0x') {
        if (outcome.kind === 'mined' && !outcome.succeeded)
          throw permanent(ErrorType.TransactionReverted, `wallet deployment ${outcome.hash} reverted`);
        throw new Error(`no code at ${wallet.address} yet`);
      }
      await prisma.wallet.updateMany({
        where: { beneficiaryId, deployedAt: null },
        data: { deployedAt: new Date(), deployTxHash: outcome.kind === 'mined' ? outcome.hash : null },
      });
      return { deployed: true };
    },
  };
}
