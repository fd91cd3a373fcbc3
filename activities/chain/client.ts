import { Contract, FetchRequest, JsonRpcProvider, Wallet, type JsonRpcPayload, type JsonRpcResult } from 'ethers';
import type { ContractAddresses } from '../../common/contract-addresses';
import { loadArtifact } from '../../contracts/artifacts';

/** Everything activities need from the chain, built once per worker. */
export interface Chain {
  provider: JsonRpcProvider;
  chainId: number;
  /** The engine's key. Transactions are signed by tx-sender with nonces allocated in Postgres. */
  wallet: Wallet;
  signerAddress: string;
  token: Contract;
  treasury: Contract;
  addresses: ContractAddresses;
  /** A read/encode handle on a project's disbursement contract. */
  disbursement(address: string): Contract;
  close(): void;
}

/** Attempts per JSON-RPC call before the error reaches the caller (the activity then retries with backoff). */
const RPC_ATTEMPTS = 3;

/**
 * Retries a call that failed in transport (connection refused or reset, a 5xx, no answer) a
 * couple of times at once: one flaky answer from a hosted node should not cost an activity
 * attempt and its backoff. Every call the engine makes is safe to repeat: reads, and
 * eth_sendRawTransaction of stored bytes (a repeat is "already known").
 */
class RetryingProvider extends JsonRpcProvider {
  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await super._send(payload);
      } catch (err) {
        const code = (err as { code?: string }).code;
        const transport =
          code === 'SERVER_ERROR' ||
          code === 'TIMEOUT' ||
          code === 'NETWORK_ERROR' ||
          /ECONNRE|socket hang up|fetch failed/i.test(String(err));
        if (!transport || attempt >= RPC_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }
}

export async function connectProvider(rpcUrl: string): Promise<{ provider: JsonRpcProvider; chainId: number }> {
  const probe = new JsonRpcProvider(rpcUrl);
  const network = await probe.getNetwork();
  probe.destroy();
  // A static network stops ethers from re-querying eth_chainId before every call.
  // ethers waits 5 minutes for an answer by default; a hung node must fail fast and be retried.
  const request = new FetchRequest(rpcUrl);
  request.timeout = 10_000;
  const provider = new RetryingProvider(request, network, {
    staticNetwork: network,
    pollingInterval: 250,
    batchMaxCount: 1,
    cacheTimeout: -1,
  });
  return { provider, chainId: Number(network.chainId) };
}

export async function createChain(opts: { rpcUrl: string; signerKey: string; addresses: ContractAddresses }): Promise<Chain> {
  const { provider, chainId } = await connectProvider(opts.rpcUrl);
  const wallet = new Wallet(opts.signerKey, provider);
  const disbursementAbi = loadArtifact('RahatDisbursement').abi;
  return {
    provider,
    chainId,
    wallet,
    signerAddress: wallet.address,
    token: new Contract(opts.addresses.token, loadArtifact('RahatToken').abi, provider),
    treasury: new Contract(opts.addresses.treasury, loadArtifact('RahatTreasury').abi, provider),
    addresses: opts.addresses,
    disbursement: (address) => new Contract(address, disbursementAbi, provider),
    close: () => provider.destroy(),
  };
}
