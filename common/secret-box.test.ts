import { createSecretBox } from './secret-box';

const KEY = 'k'.repeat(32);

describe('createSecretBox', () => {
  it('When a secret is sealed and opened with the same key, Then the plaintext comes back and the sealed form does not contain it', () => {
    const box = createSecretBox(KEY);

    const sealed = box.seal('whsec_abc123');

    expect(sealed).not.toContain('whsec_abc123');
    expect(box.open(sealed)).toBe('whsec_abc123');
  });

  it('When the same secret is sealed twice, Then the two sealed forms differ (fresh IV)', () => {
    const box = createSecretBox(KEY);

    expect(box.seal('same')).not.toBe(box.seal('same'));
  });

  it('When opened with another key, Then it throws', () => {
    const sealed = createSecretBox(KEY).seal('whsec_abc123');

    expect(() => createSecretBox('x'.repeat(32)).open(sealed)).toThrow();
  });

  it('When the ciphertext was tampered with, Then it throws instead of returning garbage', () => {
    const box = createSecretBox(KEY);
    const [v, iv, tag, data] = box.seal('whsec_abc123').split('.');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;

    expect(() => box.open([v, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
  });
});
