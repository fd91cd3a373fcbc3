import { fingerprint } from './idempotency';

const req = (over: Partial<{ method: string; path: string; query: unknown; body: unknown }> = {}) =>
  ({ method: 'POST', baseUrl: '', path: '/v1/things', query: {}, body: { a: 1, b: { c: [1, 2], d: 'x' } }, ...over }) as any;

describe('idempotency fingerprint', () => {
  it('When only the order of object keys differs, Then the fingerprint is the same', () => {
    expect(fingerprint(req({ body: { b: { d: 'x', c: [1, 2] }, a: 1 } }))).toBe(fingerprint(req()));
  });

  it.each([
    ['a value', { body: { a: 2, b: { c: [1, 2], d: 'x' } } }],
    ['the order of an array', { body: { a: 1, b: { c: [2, 1], d: 'x' } } }],
    ['the path', { path: '/v1/others' }],
    ['the method', { method: 'PUT' }],
    ['the query', { query: { dryRun: 'true' } }],
  ])('When %s differs, Then the fingerprint differs', (_, over) => {
    expect(fingerprint(req(over))).not.toBe(fingerprint(req()));
  });
});
