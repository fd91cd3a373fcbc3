import type { Payload } from '@temporalio/common';
import cors from 'cors';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { Permission } from '../auth/permissions';
import type { ApiDeps } from '../deps';
import { HttpProblem } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import { preflightsOnly } from '../security';

/**
 * Temporal's remote codec protocol, so the Temporal Web UI (and `temporal` CLI with
 * --codec-endpoint) can show the payloads the worker encrypted: POST {payloads} to /codec/decode
 * or /codec/encode, each payload as {metadata: {key: base64}, data: base64}. Authenticated like
 * every route, or by the browser session of /codec/login (codec-session.ts); what it decodes
 * carries ids and amounts only (docs/privacy.md).
 */

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');
const body = z.strictObject({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })).max(1000),
});
// The Web UI asks for ?preserveStorageRefs=true (payloads kept in external storage stay
// references); this codec keeps no payload elsewhere, so the flag changes nothing.
const query = z.strictObject({ preserveStorageRefs: z.enum(['true', 'false']).optional() });
type JsonPayload = z.output<typeof body>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: Buffer.from(p.data ?? '', 'base64'),
});
const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? []).toString('base64')])),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

/** CORS for the Web UI's origin(s) only (CODEC_CORS_ORIGINS), answering its preflight without credentials. */
export function codecCors(origins: string[]): RequestHandler {
  return preflightsOnly(
    cors({
      origin: origins,
      methods: ['POST'],
      allowedHeaders: ['content-type', 'x-namespace', 'authorization', 'x-api-key'],
      credentials: true,
      maxAge: 600,
    }),
  );
}

export function codecRoutes({ privacy }: ApiDeps): RouteSpec[] {
  const convert = (direction: 'encode' | 'decode') =>
    route({
      method: 'post',
      path: `/codec/${direction}`,
      summary: `Temporal remote codec: ${direction} payloads (for the Temporal Web UI)`,
      tags: ['operations'],
      permission: Permission.OperationsRead,
      sessionCookie: true,
      query,
      body,
      responses: { 200: { description: `The payloads, ${direction}d` }, 422: { description: 'A payload could not be decrypted' } },
      async handler({ body: { payloads }, res }) {
        try {
          res.json({ payloads: (await privacy.codec[direction](payloads.map(fromJson))).map(toJson) });
        } catch {
          throw new HttpProblem(422, 'Undecodable payload', 'a payload could not be decrypted with the configured keys');
        }
      },
    });
  return [convert('decode'), convert('encode')];
}
