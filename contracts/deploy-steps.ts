import { Contract, ContractFactory, getAddress, keccak256, type ContractTransactionResponse, type Provider, type Signer } from 'ethers';
import { loadArtifact, type ContractName } from './artifacts';
import type { DeploymentRecord } from './deployment-store';

export interface DeployContext {
  signer: Signer;
  provider: Provider;
  chainId: number;
  records: Record<string, DeploymentRecord>;
  logger?: { info(obj: object, msg: string): void };
}

export interface Deployed {
  name: ContractName;
  address: string;
  codeHash: string;
  contract: Contract;
  /** True when deployed by this call (not reused from the store). */
  fresh: boolean;
  /** The block it was created in, when deployed by this call. */
  blockNumber?: number;
}

/** Reuses the recorded contract when its runtime code is unchanged and `compatible` agrees; otherwise deploys. */
export async function deployOrReuse(
  ctx: DeployContext,
  name: ContractName,
  args: unknown[],
  compatible: (d: Deployed) => Promise<boolean>,
): Promise<Deployed> {
  const { abi, bytecode } = loadArtifact(name);
  const rec = ctx.records[name];
  if (rec) {
    const address = getAddress(rec.address);
    const codeHash = await runtimeCodeHash(ctx.provider, address);
    if (codeHash === rec.codeHash) {
      const reused: Deployed = { name, address, codeHash, contract: new Contract(address, abi, ctx.signer), fresh: false };
      if (await compatible(reused)) {
        ctx.logger?.info({ contract: name, address, chainId: ctx.chainId }, 'contract reused');
        return reused;
      }
    }
  }

  const deployment = await new ContractFactory(abi, bytecode, ctx.signer).deploy(...args);
  const tx = deployment.deploymentTransaction();
  if (!tx) throw new Error(`${name}: deployment returned no transaction`);
  // Waiting for each receipt keeps nonces sequential on automine and interval-mined chains alike.
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`${name}: deployment transaction ${tx.hash} failed`);
  const address = getAddress(await deployment.getAddress());
  const codeHash = await runtimeCodeHash(ctx.provider, address);
  ctx.logger?.info({ contract: name, address, chainId: ctx.chainId, tx: tx.hash }, 'contract deployed');
  return { name, address, codeHash, contract: new Contract(address, abi, ctx.signer), fresh: true, blockNumber: receipt.blockNumber };
}

export async function isTrustedForwarder(d: Deployed, forwarder: string): Promise<boolean> {
  return (await d.contract.isTrustedForwarder(forwarder)) === true;
}

export async function sendAndWait(pending: Promise<ContractTransactionResponse>): Promise<void> {
  const tx = await pending;
  const receipt = await tx.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`transaction ${tx.hash} failed`);
}

async function runtimeCodeHash(provider: Provider, address: string): Promise<string> {
  const code = await provider.getCode(address);
  // An empty account hashes to a constant that is never a recorded hash, so it forces a redeploy.
  return keccak256(code);
}
