import { createHash } from 'node:crypto';

/**
 * The id of what a request with an Idempotency-Key creates when the caller names no id (a
 * batch without batchId, an import): derived from caller, route and key, so a retry with the
 * key names the same batch even when its idempotency record is gone, and cannot make a second.
 * JSON-encoded parts: no two different triples hash the same text.
 */
export function idFromKey(scope: { actor: string; route: string; key: string }): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(['idempotency-key', scope.actor, scope.route, scope.key]))
    .digest();
  return uuidV8(digest);
}

/** RFC 9562 layout, version 8 (custom), from the first 16 bytes of a digest: a valid UUID column value. */
function uuidV8(digest: Buffer): string {
  const b = Buffer.from(digest.subarray(0, 16));
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
