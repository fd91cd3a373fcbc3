import { createHash, createHmac } from 'node:crypto';
import { beneficiaryIdFor, ID_DERIVATION, uuidFromDigest, type IdScheme } from './ids';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const KEY = 'unit-test-id-derivation-key-0123456789abcdef';
const legacy = (projectId: string): IdScheme => ({ projectId, derivation: ID_DERIVATION.legacySha256, key: KEY });
const hmac = (projectId: string, key = KEY): IdScheme => ({ projectId, derivation: ID_DERIVATION.hmacSha256, key });
/** What every project derived before keyed ids existed, computed here independently of ids.ts. */
const sha256Id = (projectId: string, externalId: string) =>
  uuidFromDigest(createHash('sha256').update(`beneficiary\u0000${projectId}\u0000${externalId}`).digest());

describe.each([
  ['legacy (1)', legacy],
  ['keyed (2)', hmac],
])('beneficiaryIdFor, derivation %s', (_name, scheme) => {
  it('When called twice with the same project and external id, Then it returns the same id', () => {
    expect(beneficiaryIdFor(scheme('el-2026'), 'person-1')).toBe(beneficiaryIdFor(scheme('el-2026'), 'person-1'));
  });

  it('When the project differs, Then the id differs', () => {
    expect(beneficiaryIdFor(scheme('el-2026'), 'person-1')).not.toBe(beneficiaryIdFor(scheme('flood-2026'), 'person-1'));
  });

  it('When the external id differs, Then the id differs', () => {
    expect(beneficiaryIdFor(scheme('el-2026'), 'person-1')).not.toBe(beneficiaryIdFor(scheme('el-2026'), 'person-2'));
  });

  it('When the parts would concatenate to the same text, Then the ids still differ', () => {
    expect(beneficiaryIdFor(scheme('ab'), 'c')).not.toBe(beneficiaryIdFor(scheme('a'), 'bc'));
  });

  it.each([
    ['el-2026', 'person-1'],
    ['p', ''],
    ['project-ü', 'ид-42'],
  ])('When derived for (%s, %s), Then it is a UUID with version 8 and the RFC variant', (project, externalId) => {
    const id = beneficiaryIdFor(scheme(project), externalId);

    expect(id).toMatch(UUID_V8);
    const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
    expect(bytes[6]! >> 4).toBe(8);
    expect(bytes[8]! >> 6).toBe(0b10);
  });
});

describe('id derivation versions', () => {
  it('When a project derives with version 1, Then its ids are exactly the sha256 ids every project had before keyed ids', () => {
    expect(beneficiaryIdFor(legacy('el-2026'), 'NP-1990-123456')).toBe(sha256Id('el-2026', 'NP-1990-123456'));
  });

  it('When a project derives with version 2, Then its id is not the sha256 of the external id and needs the key to be recomputed', () => {
    const id = beneficiaryIdFor(hmac('el-2026'), 'NP-1990-123456');

    expect(id).not.toBe(sha256Id('el-2026', 'NP-1990-123456'));
    expect(id).toBe(uuidFromDigest(createHmac('sha256', KEY).update('beneficiary\u0000el-2026\u0000NP-1990-123456').digest()));
    expect(beneficiaryIdFor(hmac('el-2026', `${KEY}-other`), 'NP-1990-123456')).not.toBe(id);
  });

  it('When a project records a version this code does not know, Then no id is derived', () => {
    expect(() => beneficiaryIdFor({ projectId: 'el-2026', derivation: 3, key: KEY }, 'x')).toThrow(/derivation 3/);
  });
});
