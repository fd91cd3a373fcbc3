import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HttpProblem } from './problem';

/** An upload's body, on disk: its sha256 is known before any handler runs. */
export interface SpooledBody {
  sha256: string;
  bytes: number;
  /** A fresh stream of the body from its start. */
  open(): Readable;
}

const tooLarge = (maxBytes: number) => new HttpProblem(413, 'Payload Too Large', `uploads are limited to ${maxBytes} bytes`);

/**
 * Copies an upload body to a temp file, hashing it on the way (docs/operations.md#idempotency-keys):
 * the Idempotency-Key check needs the body's hash before anything runs, memory holds one stream
 * chunk, and a client that breaks off or sends too much leaves nothing behind but an error.
 * Spooling rather than hashing while processing also keeps a slow client from holding a
 * database transaction open for the time of its upload.
 */
export async function spoolBody(
  req: Readable & { headers: IncomingHttpHeaders },
  maxBytes: number,
): Promise<SpooledBody & { remove(): Promise<void> }> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge(maxBytes);
  const dir = await mkdtemp(join(tmpdir(), 'rahat-upload-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  const file = join(dir, 'body');
  const hash = createHash('sha256');
  let bytes = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) return done(tooLarge(maxBytes));
      hash.update(chunk);
      done(null, chunk);
    },
  });
  // Not pipeline(req, …): that would destroy the request, and the 413 would never reach the client.
  const onError = (err: Error) => counted.destroy(err);
  const onClose = () => {
    if (!req.readableEnded) counted.destroy(new HttpProblem(400, 'Incomplete body', 'the request body broke off before its end'));
  };
  req.on('error', onError).on('close', onClose).pipe(counted);
  try {
    await pipeline(counted, createWriteStream(file));
  } catch (err) {
    req.unpipe(counted);
    await remove();
    throw err instanceof HttpProblem ? err : new HttpProblem(400, 'Incomplete body', 'the request body could not be read to its end');
  } finally {
    req.off('error', onError).off('close', onClose);
  }
  return { sha256: hash.digest('hex'), bytes, open: () => createReadStream(file), remove };
}
