import type { JsonRpcProvider } from 'ethers';
import { chunkGas } from '../activities/payouts/chunks';
import { DEPLOY_GAS_PER_WALLET } from '../activities/wallet';
import { WALLETS_PER_DEPLOY_TX } from '../activities/import-wallets';
import { ConfigError } from '../common/config';

/**
 * The largest transactions this configuration signs must fit in a block: one that cannot is
 * refused by the node for ever. Checked at start-up against the chain's block gas limit.
 */
export async function checkBlockCapacity(provider: JsonRpcProvider, chunkSize: number): Promise<void> {
  const limit = (await provider.getBlock('latest'))?.gasLimit;
  if (!limit) throw new Error('the node did not return its latest block');
  const chunk = chunkGas(chunkSize);
  if (chunk > limit) {
    const fits = Number((limit - chunkGas(0)) / (chunkGas(1) - chunkGas(0)));
    throw new ConfigError([
      {
        variable: 'PAYOUT_CHUNK_SIZE',
        message: `${chunkSize} payouts need up to ${chunk} gas per disbursement transaction, but the chain's block gas limit is ${limit}; use at most ${fits}`,
      },
    ]);
  }
  const wallets = DEPLOY_GAS_PER_WALLET * BigInt(WALLETS_PER_DEPLOY_TX) + 100_000n;
  if (wallets > limit)
    throw new Error(`a batch wallet deployment needs up to ${wallets} gas, more than the chain's block gas limit ${limit}`);
}
