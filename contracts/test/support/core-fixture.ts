import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Contract, JsonRpcProvider, Network, Wallet, parseUnits, type HDNodeWallet, type Signer } from 'ethers';
import { startAnvil, type AnvilHandle } from '../../../scripts/stack/anvil';
import { loadArtifact } from '../../artifacts';
import { compileContracts } from '../../compile';
import { deployCore, fileDeploymentStore, type CoreAddresses } from '../../deploy';
import { anvilWallet } from './anvil-accounts';

export const INITIAL_SUPPLY = parseUnits('1000000', 18);

export interface CoreFixture {
  anvil: AnvilHandle;
  provider: JsonRpcProvider;
  storeFile: string;
  addresses: CoreAddresses;
  deployer: HDNodeWallet;
  admin: HDNodeWallet;
  engine: HDNodeWallet;
  outsider: HDNodeWallet;
  relayer: HDNodeWallet;
  /** Holds tokens but never any ETH: proves meta-transactions are gasless for it. */
  holder: HDNodeWallet;
  token: Contract;
  treasury: Contract;
  forwarder: Contract;
  /** deployCore again, by the deployer unless `signer` is given (always naming `admin` as the final admin). */
  redeploy(storeFile?: string, signer?: Signer): Promise<CoreAddresses>;
  teardown(): Promise<void>;
}

/** Fresh anvil + compiled artifacts + one deployCore run, as the engine would do it. */
export async function setupCore(): Promise<CoreFixture> {
  await compileContracts();
  const anvil = await startAnvil({ port: 0 });
  const tmp = await mkdtemp(path.join(tmpdir(), 'rahat-contracts-'));
  // cacheTimeout -1: ethers otherwise serves a 250ms-old 'pending' nonce to back-to-back sends.
  const provider = new JsonRpcProvider(anvil.url, Network.from(31337), {
    staticNetwork: true,
    pollingInterval: 50,
    cacheTimeout: -1,
  });
  const teardown = async () => {
    provider.destroy();
    await anvil.stop();
    await rm(tmp, { recursive: true, force: true });
  };
  const [deployer, admin, engine, outsider, relayer] = [0, 1, 2, 3, 4].map((i) => anvilWallet(i, provider));
  const storeFile = path.join(tmp, 'deployments.json');

  const redeploy = (file = storeFile, signer: Signer = deployer) =>
    deployCore({
      signer,
      admin: admin.address,
      engineSigner: engine.address,
      initialTreasurySupply: INITIAL_SUPPLY,
      store: fileDeploymentStore(file),
    });
  // A failed setup must still stop anvil, or jest hangs on the open child process.
  const addresses = await redeploy().catch(async (err: unknown) => {
    await teardown();
    throw err;
  });

  return {
    anvil,
    provider,
    storeFile,
    addresses,
    deployer,
    admin,
    engine,
    outsider,
    relayer,
    holder: Wallet.createRandom().connect(provider),
    token: new Contract(addresses.token, loadArtifact('RahatToken').abi, provider),
    treasury: new Contract(addresses.treasury, loadArtifact('RahatTreasury').abi, provider),
    forwarder: new Contract(addresses.forwarder, loadArtifact('RahatForwarder').abi, provider),
    redeploy,
    teardown,
  };
}
