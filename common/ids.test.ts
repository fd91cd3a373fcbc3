import { beneficiaryIdFor } from './ids';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('beneficiaryIdFor', () => {
  it('When called twice with the same project and external id, Then it returns the same id', () => {
    expect(beneficiaryIdFor('el-2026', 'person-1')).toBe(beneficiaryIdFor('el-2026', 'person-1'));
  });

  it('When the project differs, Then the id differs', () => {
    expect(beneficiaryIdFor('el-2026', 'person-1')).not.toBe(beneficiaryIdFor('flood-2026', 'person-1'));
  });

  it('When the external id differs, Then the id differs', () => {
    expect(beneficiaryIdFor('el-2026', 'person-1')).not.toBe(beneficiaryIdFor('el-2026', 'person-2'));
  });

  it('When the parts would concatenate to the same text, Then the ids still differ', () => {
    expect(beneficiaryIdFor('ab', 'c')).not.toBe(beneficiaryIdFor('a', 'bc'));
  });

  it.each([
    ['el-2026', 'person-1'],
    ['p', ''],
    ['project-ü', 'ид-42'],
  ])('When derived for (%s, %s), Then it is a UUID with version 8 and the RFC variant', (project, externalId) => {
    const id = beneficiaryIdFor(project, externalId);

    expect(id).toMatch(UUID_V8);
    const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
    expect(bytes[6]! >> 4).toBe(8);
    expect(bytes[8]! >> 6).toBe(0b10);
  });
});
