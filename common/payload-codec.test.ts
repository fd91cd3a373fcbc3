import { defaultPayloadConverter, METADATA_ENCODING_KEY } from '@temporalio/common';
import { KeyRing } from './crypto/key-ring';
import { ENCRYPTED_ENCODING, EncryptionCodec, KEY_ID_METADATA } from './payload-codec';

const ring = (active: string) => new KeyRing({ k1: Buffer.alloc(32, 1), k2: Buffer.alloc(32, 2) }, active);
const input = { beneficiaryId: '5d1b7a0e-3c2f-8a41-9b6d-0f2e4c6a8b10', note: 'Sita Sharma +9779841234567' };
const text = (b?: Uint8Array | null) => Buffer.from(b ?? []).toString('utf8');

describe('EncryptionCodec', () => {
  it('When a payload is encoded, Then its metadata says encrypted with the key id and its bytes hide the value', async () => {
    const [encoded] = await new EncryptionCodec(ring('k1')).encode([defaultPayloadConverter.toPayload(input)]);

    expect(text(encoded!.metadata![METADATA_ENCODING_KEY])).toBe(ENCRYPTED_ENCODING);
    expect(text(encoded!.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(Buffer.from(encoded!.data!).includes('Sita')).toBe(false);
    expect(Buffer.from(encoded!.data!).includes('9841234567')).toBe(false);
  });

  it('When an encoded payload is decoded, Then the original payload comes back, also after key rotation', async () => {
    const [encoded] = await new EncryptionCodec(ring('k1')).encode([defaultPayloadConverter.toPayload(input)]);

    const [decoded] = await new EncryptionCodec(ring('k2')).decode([encoded!]);

    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(input);
  });

  it('When a payload was never encrypted, Then decode leaves it as it is', async () => {
    const plain = defaultPayloadConverter.toPayload(input);

    const [decoded] = await new EncryptionCodec(ring('k1')).decode([plain]);

    expect(decoded).toBe(plain);
  });

  it('When the encrypted bytes were altered, Then decode fails instead of returning garbage', async () => {
    const [encoded] = await new EncryptionCodec(ring('k1')).encode([defaultPayloadConverter.toPayload(input)]);
    const data = Buffer.from(encoded!.data!);
    data[data.length - 1] = data[data.length - 1]! ^ 1;

    await expect(new EncryptionCodec(ring('k1')).decode([{ ...encoded!, data }])).rejects.toThrow();
  });
});
