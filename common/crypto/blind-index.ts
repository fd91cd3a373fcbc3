import { createHmac } from 'node:crypto';

/**
 * A keyed blind index: HMAC-SHA256 of a normalised value under PII_BLIND_INDEX_KEY. Equal
 * inputs give equal indexes, so an exact lookup works, but without the key the index reveals
 * nothing and cannot be brute-forced from the small space of phone numbers.
 */
export function blindIndex(key: Buffer, kind: 'phone', normalised: string): string {
  return createHmac('sha256', key).update(`${kind}\u0000${normalised}`).digest('hex');
}
