import { Contract, JsonRpcProvider, NonceManager, Wallet } from 'ethers';
import type { ContractAddresses } from '../../common/contract-addresses';
import { loadArtifact } from '../../contracts/artifacts';

/** Everything activities need from the chain, built once per worker. */
export interface Chain {
  provider: JsonRpcProvider;
  chainId: number;
  signer: NonceManager;
  signerAddress: string;
  token: Contract;
  treasury: Contract;
  addresses: ContractAddresses;
  /** Serialises sends from the one engine key, so nonces never collide inside this process. */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  close(): void;
}

export async function connectProvider(rpcUrl: string): Promise<{ provider: JsonRpcProvider; chainId: number }> {
  const probe = new JsonRpcProvider(rpcUrl);
  const network = await probe.getNetwork();
  probe.destroy();
  // A static network stops ethers from re-querying eth_chainId before every call.
  const provider = new JsonRpcProvider(rpcUrl, network, { staticNetwork: network, pollingInterval: 250 });
  return { provider, chainId: Number(network.chainId) };
}

export async function createChain(opts: { rpcUrl: string; signerKey: string; addresses: ContractAddresses }): Promise<Chain> {
  const { provider, chainId } = await connectProvider(opts.rpcUrl);
  const wallet = new Wallet(opts.signerKey, provider);
  const signer = new NonceManager(wallet);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    provider,
    chainId,
    signer,
    signerAddress: wallet.address,
    token: new Contract(opts.addresses.token, loadArtifact('RahatToken').abi, signer),
    treasury: new Contract(opts.addresses.treasury, loadArtifact('RahatTreasury').abi, signer),
    addresses: opts.addresses,
    exclusive<T>(fn: () => Promise<T>): Promise<T> {
      const run = queue.then(fn, fn);
      queue = run.catch(() => undefined);
      return run;
    },
    close: () => provider.destroy(),
  };
}
