import { NonceManager, ZeroHash, getAddress, type Signer } from 'ethers';
import type { DeploymentStore } from './deployment-store';
import { deployOrReuse, isTrustedForwarder, sendAndWait, type DeployContext, type Deployed } from './deploy-steps';

export { fileDeploymentStore, type DeploymentRecord, type DeploymentStore } from './deployment-store';

export interface CoreAddresses {
  forwarder: string;
  token: string;
  treasury: string;
  /** Deploys beneficiary wallets (CREATE2 clones that trust the forwarder). */
  walletFactory: string;
}

export interface TokenParams {
  name: string;
  symbol: string;
  decimals: number;
}

export interface DeployCoreOptions {
  signer: Signer;
  /** Final DEFAULT_ADMIN_ROLE holder, also the token's minter and the treasury's pauser; defaults to the signer. */
  admin?: string;
  /** Engine hot wallet: gets only DISBURSER_ROLE on the treasury, so it spends within the allowances the admin sets. */
  engineSigner: string;
  /** Minted to the treasury only when the token or treasury is freshly deployed. */
  initialTreasurySupply: bigint;
  store: DeploymentStore;
  token?: TokenParams;
  logger?: { info(obj: object, msg: string): void; warn?(obj: object, msg: string): void };
}

const DEFAULT_TOKEN: TokenParams = { name: 'Rahat Token', symbol: 'RHT', decimals: 18 };
const DEFAULT_ADMIN_ROLE = ZeroHash;

/**
 * Idempotent core deployment: reuses every contract whose recorded code is
 * still on chain, deploys the rest, and converges roles. A second call on the
 * same chain sends no transactions.
 */
export async function deployCore(opts: DeployCoreOptions): Promise<CoreAddresses> {
  const provider = opts.signer.provider;
  if (!provider) throw new Error('deployCore: signer must be connected to a provider');
  const chainId = Number((await provider.getNetwork()).chainId);
  const deployer = getAddress(await opts.signer.getAddress());
  const admin = getAddress(opts.admin ?? deployer);
  const engine = getAddress(opts.engineSigner);
  const params = opts.token ?? DEFAULT_TOKEN;
  const ctx: DeployContext = {
    // Local nonces: ethers caches identical RPC reads for 250ms, so back-to-back sends on an
    // automining chain would otherwise reuse the same 'pending' nonce.
    signer: opts.signer instanceof NonceManager ? opts.signer : new NonceManager(opts.signer),
    provider,
    chainId,
    records: await opts.store.load(chainId),
    logger: opts.logger,
  };

  const forwarder = await deployOrReuse(ctx, 'RahatForwarder', [], async () => true);
  // The deployer administers fresh contracts until setup is done, then hands over to `admin`.
  // A dependent contract is only reusable if it trusts the forwarder we ended up with.
  const trustsForwarder = (d: Deployed) => isTrustedForwarder(d, forwarder.address);
  const token = await deployOrReuse(
    ctx,
    'RahatToken',
    [params.name, params.symbol, params.decimals, forwarder.address, deployer],
    trustsForwarder,
  );
  const treasury = await deployOrReuse(ctx, 'RahatTreasury', [forwarder.address, deployer], trustsForwarder);
  // No roles: anyone may deploy a wallet, and its CREATE2 address commits to its owner.
  const walletFactory = await deployOrReuse(ctx, 'RahatWalletFactory', [forwarder.address], trustsForwarder);

  const minter: string = await token.contract.MINTER_ROLE();
  await ensureRole(ctx, token, minter, admin, deployer);
  await ensureRole(ctx, treasury, await treasury.contract.DISBURSER_ROLE(), engine, deployer);
  await ensureRole(ctx, treasury, await treasury.contract.PAUSER_ROLE(), admin, deployer);
  // Older deployments made the engine a minter; a hot key that can mint would make allowances moot.
  if (engine !== admin) await ensureNoRole(ctx, token, minter, engine, deployer);
  else opts.logger?.warn?.({ engine }, 'engine key is also the admin key: its spending is not limited by allowances');

  if ((token.fresh || treasury.fresh) && opts.initialTreasurySupply > 0n) {
    await mintAsDeployer(ctx, token, deployer, treasury.address, opts.initialTreasurySupply);
  }
  for (const d of [token, treasury]) {
    if (d.fresh && admin !== deployer) await handOverAdmin(ctx, d, deployer, admin);
  }

  // Saved last: if setup fails midway, the next run redeploys instead of trusting a half-configured contract.
  for (const d of [forwarder, token, treasury, walletFactory]) {
    if (d.fresh) await opts.store.save(chainId, d.name, { address: d.address, codeHash: d.codeHash, blockNumber: d.blockNumber });
  }
  return { forwarder: forwarder.address, token: token.address, treasury: treasury.address, walletFactory: walletFactory.address };
}

async function ensureRole(ctx: DeployContext, d: Deployed, role: string, account: string, deployer: string): Promise<void> {
  if (await d.contract.hasRole(role, account)) return;
  await requireAdmin(d, deployer, `grant ${role} to ${account}`);
  await sendAndWait(d.contract.grantRole(role, account));
  ctx.logger?.info({ contract: d.name, role, account }, 'role granted');
}

async function ensureNoRole(ctx: DeployContext, d: Deployed, role: string, account: string, deployer: string): Promise<void> {
  if (!(await d.contract.hasRole(role, account))) return;
  await requireAdmin(d, deployer, `revoke ${role} from ${account}`);
  await sendAndWait(d.contract.revokeRole(role, account));
  ctx.logger?.info({ contract: d.name, role, account }, 'role revoked');
}

// A reused contract may have been handed over already: say what needs the admin instead of reverting.
async function requireAdmin(d: Deployed, deployer: string, change: string): Promise<void> {
  if (await d.contract.hasRole(DEFAULT_ADMIN_ROLE, deployer)) return;
  throw new Error(`deployCore: cannot ${change} on ${d.name} at ${d.address}: ${deployer} is not its admin; run it with the admin key`);
}

// Minting needs MINTER_ROLE; a deployer that isn't the admin holds it only for this call.
async function mintAsDeployer(ctx: DeployContext, token: Deployed, deployer: string, to: string, amount: bigint) {
  const minter: string = await token.contract.MINTER_ROLE();
  const temporary = !(await token.contract.hasRole(minter, deployer));
  if (temporary) await sendAndWait(token.contract.grantRole(minter, deployer));
  await sendAndWait(token.contract.mint(to, amount));
  if (temporary) await sendAndWait(token.contract.renounceRole(minter, deployer));
  ctx.logger?.info({ token: token.address, to, amount: amount.toString() }, 'initial treasury supply minted');
}

async function handOverAdmin(ctx: DeployContext, d: Deployed, deployer: string, admin: string): Promise<void> {
  await sendAndWait(d.contract.grantRole(DEFAULT_ADMIN_ROLE, admin));
  await sendAndWait(d.contract.renounceRole(DEFAULT_ADMIN_ROLE, deployer));
  ctx.logger?.info({ contract: d.name, admin }, 'admin handed over');
}
