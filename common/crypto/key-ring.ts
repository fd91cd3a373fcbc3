import { open, seal } from './aead';

export const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** The key settings of common/config.ts: base64 keys by id, and which one encrypts. */
export interface PiiKeySettings {
  encryptionKeys: Record<string, string>;
  activeKeyId: string;
  blindIndexKey: string;
}

/**
 * Every AES-256 key by id. New data is sealed with the active key and carries its id, so old
 * data still opens after PII_ACTIVE_KEY_ID moves on to a new key (rotation).
 */
export class KeyRing {
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    keys: Record<string, Buffer>,
    readonly activeKeyId: string,
  ) {
    for (const [id, key] of Object.entries(keys)) {
      if (!KEY_ID.test(id)) throw new Error(`key id ${JSON.stringify(id)} must match ${KEY_ID}`);
      if (key.length !== 32) throw new Error(`key ${id} must be 32 bytes, not ${key.length}`);
    }
    if (!(activeKeyId in keys)) throw new Error(`active key ${activeKeyId} is not among the keys`);
    this.keys = new Map(Object.entries(keys));
  }

  static fromSettings(settings: Pick<PiiKeySettings, 'encryptionKeys' | 'activeKeyId'>): KeyRing {
    const keys = Object.fromEntries(Object.entries(settings.encryptionKeys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')]));
    return new KeyRing(keys, settings.activeKeyId);
  }

  seal(plaintext: Uint8Array, aad: string): { keyId: string; sealed: Buffer } {
    return { keyId: this.activeKeyId, sealed: seal(this.keys.get(this.activeKeyId)!, plaintext, aad) };
  }

  open(keyId: string, sealed: Uint8Array, aad: string): Buffer {
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`no key with id ${keyId}: was it removed from PII_ENCRYPTION_KEYS before re-encryption?`);
    return open(key, sealed, aad);
  }

  /** Text form for database columns: "<keyId>:<base64>". */
  sealText(plaintext: string, aad: string): string {
    const { keyId, sealed } = this.seal(Buffer.from(plaintext, 'utf8'), aad);
    return `${keyId}:${sealed.toString('base64')}`;
  }

  openText(value: string, aad: string): string {
    const sep = value.indexOf(':');
    if (sep < 1) throw new Error('ciphertext has no key id prefix');
    return this.open(value.slice(0, sep), Buffer.from(value.slice(sep + 1), 'base64'), aad).toString('utf8');
  }
}
