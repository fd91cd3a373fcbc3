import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { connectProvider, createChain, type Chain } from '../../activities/chain/client';
import { createTxSender, type TxSender } from '../../activities/chain/tx-sender';
import { loadConfig } from '../../common/config';
import { resolveContractAddresses } from '../../common/contract-addresses';
import { createPrisma, type PrismaClient } from '../../common/db';
import { createFaults } from '../../common/faults';
import { anvilWallet } from '../../contracts/test/support/anvil-accounts';

/*
 * The crash-safe sender under concurrent attempts of one activity (a retry started while the
 * first attempt still runs): every nonce it allocates must end with exactly one row, and every
 * hash it signs must stay known, or the signer stalls or a mined transaction goes unseen.
 * A key of its own (anvil's account 7) keeps this signer's nonces apart from the engine's.
 */
let prisma: PrismaClient;
let chain: Chain;
let sender: TxSender;

beforeAll(async () => {
  const config = loadConfig();
  prisma = createPrisma(config.databaseUrl, { max: 6 });
  const key = anvilWallet(7, undefined as never).privateKey;
  const probe = await connectProvider(config.chain.rpcUrl);
  const addresses = await resolveContractAddresses(config, prisma, probe.chainId);
  probe.provider.destroy();
  chain = await createChain({ rpcUrl: config.chain.rpcUrl, signerKey: key, addresses });
  sender = createTxSender({
    prisma,
    chain,
    logger: pino({ level: 'silent' }),
    faults: createFaults(),
    maxFeePerGas: config.chain.maxFeePerGas,
  });
});

afterAll(async () => {
  chain?.close();
  await prisma?.$disconnect();
});

const selfSend = async () => ({ to: chain.signerAddress, data: '0x', gasLimit: 21_000n });

/** Nonces allocated after `from` that have no row or more than one: each would stall the signer. */
async function brokenNonces(from: number): Promise<number[]> {
  const { nextNonce } = await prisma.signerNonce.findUniqueOrThrow({
    where: { chainId_address: { chainId: chain.chainId, address: chain.signerAddress } },
  });
  const rows = await prisma.chainTransaction.findMany({
    where: { chainId: chain.chainId, fromAddress: chain.signerAddress, nonce: { gte: from } },
    select: { nonce: true },
  });
  const broken: number[] = [];
  for (let n = from; n < nextNonce; n++) if (rows.filter((r) => r.nonce === n).length !== 1) broken.push(n);
  return broken;
}

describe('tx sender', () => {
  it('When two attempts re-sign the same dropped transaction at once, Then every allocated nonce ends with exactly one row', async () => {
    const purpose = `test:dropped:${randomUUID()}`;
    const first = await sender.prepare(purpose, selfSend);
    const row = await prisma.chainTransaction.findUniqueOrThrow({ where: { id: first.id } });
    // A foreign transaction takes the nonce (the key used elsewhere): ours can never be mined.
    const foreign = await chain.wallet.signTransaction({
      type: 2,
      chainId: chain.chainId,
      nonce: row.nonce,
      to: chain.signerAddress,
      value: 1n,
      gasLimit: 21_000n,
      maxFeePerGas: 10n ** 11n,
      maxPriorityFeePerGas: 10n ** 9n,
    });
    await chain.provider.send('eth_sendRawTransaction', [foreign]);
    for (let i = 0; i < 50 && (await sender.poll(first.id, 1)) !== 'dropped'; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await prisma.chainTransaction.findUniqueOrThrow({ where: { id: first.id } })).status).toBe('DROPPED');

    await Promise.all([sender.prepare(purpose, selfSend), sender.prepare(purpose, selfSend)]);

    expect(await brokenNonces(row.nonce + 1)).toEqual([]);
  });

  it('When two replacements of one pending transaction run at once, Then every hash signed at its nonce is kept', async () => {
    const { id } = await sender.prepare(`test:replace:${randomUUID()}`, selfSend);

    await Promise.all([sender.replace(id, 'bump'), sender.replace(id, 'bump')]);

    // The original and both replacements: any of the three may be the one the chain mines.
    expect(await prisma.chainTransactionVersion.count({ where: { txId: id } })).toBe(3);
  });
});
