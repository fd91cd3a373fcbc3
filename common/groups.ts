import type { Prisma, PrismaClient } from './db';

/**
 * The members of a group, by beneficiary id, in pages: for distributions that target a group.
 * Keyset on the id (the primary key's second column), so a page costs the same at any depth.
 * Every member is returned whatever its status; the caller decides who can be paid.
 */
export async function listGroupBeneficiaryIds(
  prisma: PrismaClient | Prisma.TransactionClient,
  groupId: string,
  cursor: string | null | undefined,
  limit: number,
): Promise<{ ids: string[]; nextCursor: string | null }> {
  const rows = await prisma.groupMember.findMany({
    where: { groupId, ...(cursor ? { beneficiaryId: { gt: cursor } } : {}) },
    select: { beneficiaryId: true },
    orderBy: { beneficiaryId: 'asc' },
    take: limit,
  });
  const ids = rows.map((r) => r.beneficiaryId);
  return { ids, nextCursor: ids.length === limit ? ids[ids.length - 1]! : null };
}

/** Adds beneficiaries of the group's project, all or none: any id unknown there is returned and nothing is added. */
export async function addGroupMembers(
  prisma: PrismaClient,
  group: { id: string; projectId: string },
  beneficiaryIds: string[],
): Promise<{ added: number; rejected: string[] }> {
  const found = await prisma.beneficiary.findMany({
    where: { id: { in: beneficiaryIds }, projectId: group.projectId },
    select: { id: true },
  });
  const known = new Set(found.map((b) => b.id));
  const rejected = beneficiaryIds.filter((id) => !known.has(id));
  if (rejected.length) return { added: 0, rejected };
  const { count } = await prisma.groupMember.createMany({
    data: [...known].map((beneficiaryId) => ({ groupId: group.id, beneficiaryId })),
    skipDuplicates: true,
  });
  return { added: count, rejected };
}
