import { METADATA_ENCODING_KEY, ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { KeyRing } from './crypto/key-ring';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
// Additional data: a payload ciphertext cannot be passed off as a personal-data column, or back.
const AAD = 'temporal-payload';

const utf8 = (s: string) => Buffer.from(s, 'utf8');
const text = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('utf8') : undefined);

/**
 * Encrypts every payload (workflow inputs, results, signals, queries, memos, encoded failure
 * messages) with the PII key ring before it leaves the process, so Temporal's history and the
 * server's database hold ciphertext only. Runs outside the workflow sandbox (worker, clients).
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keys: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const { keyId, sealed } = this.keys.seal(temporal.api.common.v1.Payload.encode(payload).finish(), AAD);
      return { metadata: { [METADATA_ENCODING_KEY]: utf8(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8(keyId) }, data: sealed };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      if (text(payload.metadata?.[METADATA_ENCODING_KEY]) !== ENCRYPTED_ENCODING) return payload;
      const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
      if (!keyId || !payload.data) throw new ValueError('encrypted payload without a key id or data');
      return temporal.api.common.v1.Payload.decode(this.keys.open(keyId, payload.data, AAD));
    });
  }
}
