import { keccak256, type JsonRpcProvider } from 'ethers';
import type { PrismaClient } from '../../common/db';
import { REORG_HORIZON_BLOCKS } from './chain-watch';

/** The node is not the chain this database's records are about; starting would pay on a chain that forgot them. */
export class ChainMismatchError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `The chain at BLOCKCHAIN_RPC_URL is not the chain this database recorded:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        'What to do: point BLOCKCHAIN_RPC_URL at the node that holds this chain; for the local stack, stop it and restore the ' +
        'chain state it kept (copy .data/anvil-state.prev.json over .data/anvil-state.json). Only if this chain is really gone and ' +
        'its records may be discarded, start over with a new database (local stack: remove .data). See docs/operations.md.',
    );
    this.name = 'ChainMismatchError';
  }
}

/**
 * Checks the node against what the database recorded about its chain, before anything is sent:
 * the genesis block (a reset node has a new one), the recorded contracts (their code must be
 * there, unchanged) and each signer's nonce (the chain must know every transaction recorded as
 * mined). The first look at a chain records its genesis.
 */
export async function verifyChainIdentity(prisma: PrismaClient, provider: JsonRpcProvider, chainId: number): Promise<void> {
  const problems: string[] = [];
  const genesis = (await provider.getBlock(0))?.hash;
  if (!genesis) throw new Error('the node did not return its genesis block');
  const known = await prisma.chainIdentity.findUnique({ where: { chainId } });
  if (!known) {
    await prisma.chainIdentity.upsert({ where: { chainId }, create: { chainId, genesisHash: genesis }, update: {} });
  } else if (known.genesisHash !== genesis) {
    problems.push(
      `genesis block ${genesis}, but the database recorded chain ${chainId} with genesis ${known.genesisHash} on ${known.createdAt.toISOString()}`,
    );
  }
  for (const c of await prisma.contractDeployment.findMany({ where: { chainId } })) {
    const code = await provider.getCode(c.address);
    if (code === '0x') problems.push(`${c.name} recorded at ${c.address} has no code on this chain`);
    else if (keccak256(code) !== c.codeHash) problems.push(`${c.name} at ${c.address} has other code than recorded`);
  }
  // A mined transaction the chain does not know: a reorg within the horizon is the watch's to
  // heal (it sends it again); one deeper, or in a block the chain has not reached, was lost.
  const head = await provider.getBlockNumber();
  const mined = await prisma.$queryRaw<{ address: string; nonce: number; block: bigint }[]>`
    SELECT DISTINCT ON (from_address) from_address AS address, nonce, block_number AS block FROM chain_transactions
    WHERE chain_id = ${chainId} AND status = 'MINED' AND reorged_at IS NULL ORDER BY from_address, nonce DESC`;
  for (const m of mined) {
    const count = await provider.getTransactionCount(m.address, 'latest');
    const block = Number(m.block);
    if (count <= m.nonce && (block > head || block < head - REORG_HORIZON_BLOCKS)) {
      problems.push(
        `signer ${m.address}: the chain's nonce is ${count}, behind the database, which recorded its nonce ${m.nonce} as mined in block ${block} ` +
          `(the chain's head is ${head}); the node lost transactions (restored from an older state?)`,
      );
    }
  }
  if (problems.length) throw new ChainMismatchError(problems);
}
