import { createHash } from 'node:crypto';
import { uuidFromDigest } from '../common/ids';

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
  return uuidFromDigest(digest);
}
