import { idFromKey } from './request-ids';

const UUID_V8 = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const scope = { actor: 'user:3f0c', route: 'POST /v1/distributions/batches', key: 'k-1' };

describe('idFromKey', () => {
  it('When derived twice from the same caller, route and key, Then it is the same id', () => {
    expect(idFromKey({ ...scope })).toBe(idFromKey(scope));
  });

  it('When derived for a fixed input, Then it is the sha256 of that input in the v8 layout (ids already stored depend on it)', () => {
    // Computed apart from this code: Python's hashlib over the same JSON text, bits set by hand.
    expect(idFromKey(scope)).toBe('9a1e099d-677d-89a1-a088-b97254197291');
  });

  it.each([
    ['caller', { actor: 'api-key:3f0c' }],
    ['route', { route: 'POST /v1/distributions/batches/upload' }],
    ['key', { key: 'k-2' }],
  ])('When the %s differs, Then the id differs', (_, over) => {
    expect(idFromKey({ ...scope, ...over })).not.toBe(idFromKey(scope));
  });

  it('When the parts would concatenate to the same text, Then the ids still differ', () => {
    expect(idFromKey({ ...scope, actor: 'user:a', key: 'bc' })).not.toBe(idFromKey({ ...scope, actor: 'user:ab', key: 'c' }));
  });

  it.each(['k-1', ' ', '~'.repeat(255)])('When derived from key %j, Then it is a UUID with version 8 and the RFC variant', (key) => {
    const id = idFromKey({ ...scope, key });

    expect(id).toMatch(UUID_V8);
    const bytes = Buffer.from(id.replace(/-/g, ''), 'hex');
    expect(bytes[6]! >> 4).toBe(8);
    expect(bytes[8]! >> 6).toBe(0b10);
  });
});
