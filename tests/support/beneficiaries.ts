import { randomBytes, randomUUID } from 'node:crypto';
import { getAddress, hexlify } from 'ethers';
import type { PrismaClient } from '../../common/db';

/**
 * Active beneficiaries with fresh wallet addresses, inserted directly: set-up for payout
 * tests and benchmarks, where registration itself is not what is being measured.
 */
export async function seedActiveBeneficiaries(
  prisma: PrismaClient,
  projectId: string,
  count: number,
): Promise<{ id: string; address: string }[]> {
  await prisma.project.upsert({ where: { id: projectId }, create: { id: projectId, name: projectId }, update: {} });
  const rows = Array.from({ length: count }, () => ({ id: randomUUID(), address: getAddress(hexlify(randomBytes(20))) }));
  for (let i = 0; i < rows.length; i += 5000) {
    const slice = rows.slice(i, i + 5000);
    await prisma.beneficiary.createMany({
      data: slice.map((r) => ({ id: r.id, projectId, externalId: `seed-${r.id}`, status: 'ACTIVE' as const })),
    });
    await prisma.wallet.createMany({ data: slice.map((r) => ({ id: r.id, beneficiaryId: r.id, address: r.address })) });
  }
  return rows;
}
