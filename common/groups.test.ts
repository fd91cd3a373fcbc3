import type { PrismaClient } from './db';
import { addGroupMembers, listGroupBeneficiaryIds } from './groups';

const ids = ['00000000-0000-8000-8000-000000000001', '00000000-0000-8000-8000-000000000002', '00000000-0000-8000-8000-000000000003'];

function fakePrisma(members = ids, enrolled = ids) {
  return {
    groupMember: {
      findMany: jest.fn(async ({ where, take }: { where: { beneficiaryId?: { gt: string } }; take: number }) =>
        members
          .filter((id) => !where.beneficiaryId || id > where.beneficiaryId.gt)
          .slice(0, take)
          .map((beneficiaryId) => ({ beneficiaryId })),
      ),
      createMany: jest.fn(async ({ data }: { data: unknown[] }) => ({ count: data.length })),
    },
    beneficiary: {
      findMany: jest.fn(async ({ where }: { where: { id: { in: string[] } } }) =>
        where.id.in.filter((id) => enrolled.includes(id)).map((id) => ({ id })),
      ),
    },
  };
}

describe('listGroupBeneficiaryIds', () => {
  it('When paged two at a time, Then the pages follow each other by id and the last has no cursor', async () => {
    const prisma = fakePrisma() as unknown as PrismaClient;

    const first = await listGroupBeneficiaryIds(prisma, 'g', undefined, 2);
    const second = await listGroupBeneficiaryIds(prisma, 'g', first.nextCursor, 2);

    expect(first).toEqual({ ids: ids.slice(0, 2), nextCursor: ids[1] });
    expect(second).toEqual({ ids: ids.slice(2), nextCursor: null });
  });
});

describe('addGroupMembers', () => {
  it('When one id is not enrolled in the project, Then nothing is added and that id is returned', async () => {
    const fake = fakePrisma(ids, ids.slice(0, 2));

    const result = await addGroupMembers(fake as unknown as PrismaClient, { id: 'g', projectId: 'p' }, ids);

    expect(result).toEqual({ added: 0, rejected: [ids[2]] });
    expect(fake.groupMember.createMany).not.toHaveBeenCalled();
  });
});
