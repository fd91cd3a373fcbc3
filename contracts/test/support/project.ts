import { Contract, ContractFactory, id, type Signer, type TransactionReceipt } from 'ethers';
import { loadArtifact } from '../../artifacts';
import type { CoreFixture } from './core-fixture';

export const by = (c: Contract, signer: Signer) => c.connect(signer) as Contract;

/** Sends and waits; the receipt of a reverted transaction never gets here (ethers throws on estimate). */
export async function mined(pending: Promise<{ wait(): Promise<TransactionReceipt | null> }>): Promise<TransactionReceipt> {
  const receipt = await (await pending).wait();
  if (!receipt) throw new Error('no receipt');
  return receipt;
}

/** The decoded events `contract` emitted in `receipt`, in log order (other emitters are skipped). */
export function eventsOf(receipt: TransactionReceipt, contract: Contract, name?: string): { name: string; args: unknown[] }[] {
  const address = String(contract.target).toLowerCase();
  return receipt.logs
    .filter((l) => l.address.toLowerCase() === address)
    .map((l) => contract.interface.parseLog(l))
    .filter((e) => e !== null && (name === undefined || e.name === name))
    .map((e) => ({ name: e!.name, args: [...e!.args] }));
}

export interface Project {
  /** bytes32 project key the treasury meters allowances by. */
  key: string;
  disbursement: Contract;
  address: string;
}

/**
 * A project as the engine sets one up: its disbursement contract (admin = admin key,
 * disburser = engine), registered with the treasury, given `allowance`, and funded with
 * `budget` of it released by the engine.
 */
export async function setupProject(f: CoreFixture, name: string, opts: { allowance: bigint; budget: bigint }): Promise<Project> {
  const key = id(`project:${name}`);
  const disbursement = await deployDisbursement(f, key);
  const address = await disbursement.getAddress();
  await mined(by(f.treasury, f.admin).registerDisbursement(key, address));
  await mined(by(f.treasury, f.admin).increaseAllowance(key, opts.allowance, id(`allowance:${name}`)));
  if (opts.budget > 0n) {
    await mined(by(f.treasury, f.engine).release(key, f.addresses.token, address, opts.budget, id(`budget:${name}`)));
  }
  return { key, address, disbursement };
}

/** A disbursement contract for `project` (admin key administers, engine disburses), not registered anywhere. */
export async function deployDisbursement(f: CoreFixture, project: string): Promise<Contract> {
  const { abi, bytecode } = loadArtifact('RahatDisbursement');
  const deployed = await new ContractFactory(abi, bytecode, f.admin).deploy(
    f.addresses.token,
    f.addresses.treasury,
    project,
    f.admin.address,
    f.engine.address,
  );
  await deployed.waitForDeployment();
  return new Contract(await deployed.getAddress(), abi, f.provider);
}
