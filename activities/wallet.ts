import { createHmac } from 'node:crypto';
import { computeAddress, SigningKey } from 'ethers';
import type { ActivityDeps } from './deps';

/**
 * The wallet key is derived from the master secret and the beneficiary id whenever it is
 * needed and never stored: the address is all that is kept. (HMAC output is a valid secp256k1
 * scalar with overwhelming probability; SigningKey rejects the rare invalid one.)
 */
export function deriveWalletAddress(masterSecret: string, beneficiaryId: string): string {
  const key = createHmac('sha256', masterSecret).update(`wallet:${beneficiaryId}`).digest();
  return computeAddress(new SigningKey(key).publicKey);
}

export function walletActivities({ prisma, config }: ActivityDeps) {
  return {
    async createWallet({ beneficiaryId }: { beneficiaryId: string }): Promise<{ address: string }> {
      return { address: deriveWalletAddress(config.walletMasterSecret, beneficiaryId) };
    },

    /** Idempotent by beneficiary: a retry keeps the first address. */
    async storeWallet({ beneficiaryId, address }: { beneficiaryId: string; address: string }): Promise<void> {
      await prisma.wallet.upsert({
        where: { beneficiaryId },
        create: { id: beneficiaryId, beneficiaryId, address },
        update: {},
      });
    },
  };
}
