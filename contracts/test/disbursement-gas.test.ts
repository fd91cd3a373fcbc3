import { dataSlice, getAddress, id, parseUnits } from 'ethers';
import { batchKey, encodeDisburse, type DisburseCall } from '../disbursement-codec';
import { setupCore, type CoreFixture } from './support/core-fixture';
import { mined, setupProject, type Project } from './support/project';

jest.setTimeout(180_000);

/** Per-payout budget for a chunk to fresh addresses, bitmap guard included (measured 26,652 when written). */
const MAX_GAS_PER_PAYOUT = 27_500;
/** Measured 111,981 when written. */
const MAX_SINGLE_PAYOUT = 115_000;
const AMOUNT = parseUnits('1', 18);

let f: CoreFixture;
let p: Project;
beforeAll(async () => {
  f = await setupCore();
  p = await setupProject(f, 'gas', { allowance: AMOUNT * 1000n, budget: AMOUNT * 1000n });
});
afterAll(async () => {
  await f?.teardown();
});

/** Gas per payout of one real disburse transaction paying `count` never-used addresses, seqs from `firstSeq` on. */
async function gasPerPayout(label: string, count: number, firstSeq: number): Promise<number> {
  const call: DisburseCall = {
    batch: batchKey(`gas-${label}`),
    chunkId: id(`gas-chunk-${label}`),
    payouts: Array.from({ length: count }, (_, i) => ({
      seq: firstSeq + i,
      to: getAddress(dataSlice(id(`gas-payee:${label}:${i}`), 12)),
      amount: AMOUNT,
    })),
  };
  const receipt = await mined(f.engine.sendTransaction({ to: p.address, data: encodeDisburse(call) }));
  expect(await p.disbursement.isPaid(call.batch, firstSeq + count - 1)).toBe(true);
  const perPayout = Number(receipt.gasUsed) / count;
  process.stdout.write(`disburse ${count} payout(s): ${receipt.gasUsed} gas, ${perPayout.toFixed(0)} per payout\n`);
  return perPayout;
}

describe('RahatDisbursement gas', () => {
  it(`When 500 fresh addresses are paid in one chunk with contiguous seqs, Then it costs at most ${MAX_GAS_PER_PAYOUT} gas per payout`, async () => {
    expect(await gasPerPayout('500', 500, 0)).toBeLessThanOrEqual(MAX_GAS_PER_PAYOUT);
  });

  it(`When a single payout is sent, Then the chunk's fixed cost on top of it stays under ${MAX_SINGLE_PAYOUT} gas`, async () => {
    // One payout carries the whole fixed cost: 21k base, role and pause checks, a fresh chunk
    // record and a fresh bitmap word (22.1k each), the ChunkPaid event. One more fresh slot would fail this.
    expect(await gasPerPayout('1', 1, 0)).toBeLessThanOrEqual(MAX_SINGLE_PAYOUT);
  });
});
