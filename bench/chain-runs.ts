import { randomBytes } from 'node:crypto';
import { type BaseWallet, Contract, ContractFactory, getAddress, hexlify, id as keccakId, keccak256, type JsonRpcProvider } from 'ethers';
import { batchKey, encodeDisburse } from '../contracts/disbursement-codec';
import { loadArtifact } from '../contracts/artifacts';

export const freshAddress = () => getAddress(hexlify(randomBytes(20)));

export interface RunFigures {
  payouts: number;
  seconds: number;
  perSecond: number;
  gasPerPayout: number;
}

/** The naive baseline: one ERC-20 transfer per beneficiary, each sent and awaited in turn. */
export async function naiveTransfers(wallet: BaseWallet, tokenAddress: string, n: number): Promise<RunFigures> {
  const token = new Contract(tokenAddress, loadArtifact('RahatToken').abi, wallet);
  // Explicit nonces throughout: ethers caches the account's nonce for a moment.
  let nonce = await wallet.getNonce('pending');
  await (await token.getFunction('mint')(wallet.address, BigInt(n) * 10n, { nonce: nonce++ })).wait();
  let gas = 0n;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const tx = await token.getFunction('transfer')(freshAddress(), 10n, { nonce: nonce++ });
    gas += (await tx.wait())!.gasUsed;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { payouts: n, seconds, perSecond: n / seconds, gasPerPayout: Number(gas) / n };
}

/**
 * The raw-chain ceiling: the same disbursement calls the engine makes, signed and sent
 * straight to the node by a minimal loop (no Temporal, no database), 16 in flight.
 */
export async function rawDisbursements(
  wallet: BaseWallet,
  provider: JsonRpcProvider,
  addrs: { token: string; treasury: string },
  n: number,
  chunkSize: number,
): Promise<RunFigures> {
  const { abi, bytecode } = loadArtifact('RahatDisbursement');
  const d = await new ContractFactory(abi, bytecode, wallet).deploy(
    addrs.token,
    addrs.treasury,
    keccakId('bench-ceiling'),
    wallet.address,
    wallet.address,
  );
  await d.waitForDeployment();
  const token = new Contract(addrs.token, loadArtifact('RahatToken').abi, wallet);
  await (await token.getFunction('mint')(await d.getAddress(), BigInt(n) * 10n)).wait();
  const { chainId } = await provider.getNetwork();
  let nonce = await wallet.getNonce('pending');
  const fee = { maxFeePerGas: 20_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n };
  const hashes: string[] = [];
  const t0 = performance.now();
  const target = await d.getAddress();
  const chunks = Math.ceil(n / chunkSize);
  let next = 0;
  const sendOne = async () => {
    for (let c = next++; c < chunks; c = next++) {
      const size = Math.min(chunkSize, n - c * chunkSize);
      const payouts = Array.from({ length: size }, (_, i) => ({ seq: c * chunkSize + i, to: freshAddress(), amount: 10n }));
      const data = encodeDisburse({ batch: batchKey('bench-ceiling'), chunkId: keccakId(`ceiling:${c}`), payouts });
      const raw = await wallet.signTransaction({
        type: 2,
        chainId,
        nonce: nonce++,
        to: target,
        data,
        gasLimit: 100_000 + 31_000 * size,
        ...fee,
      });
      hashes.push(keccak256(raw));
      await provider.send('eth_sendRawTransaction', [raw]);
    }
  };
  await Promise.all(Array.from({ length: 16 }, sendOne));
  let gas = 0n;
  for (const h of hashes) {
    const r = await provider.waitForTransaction(h);
    if (r?.status !== 1) throw new Error(`ceiling transaction ${h} failed`);
    gas += r.gasUsed;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { payouts: n, seconds, perSecond: n / seconds, gasPerPayout: Number(gas) / n };
}
