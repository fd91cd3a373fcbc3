import { z } from 'zod';
import { CODEC_SESSION_COOKIE } from './auth/cookies';
import type { RouteSpec } from './route-spec';

type Json = Record<string, unknown>;

const PROBLEM: Json = {
  type: 'object',
  description: 'RFC 9457 problem details',
  required: ['type', 'title', 'status'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', required: ['field', 'message'], properties: { field: { type: 'string' }, message: { type: 'string' } } },
    },
  },
};

const DEFAULT_PROBLEMS: Record<number, string> = {
  400: 'Invalid request: each bad field is named',
  401: 'No or invalid credentials',
  403: 'The caller lacks the permission or project',
  409: 'A request with this Idempotency-Key is still in progress',
  422: 'The Idempotency-Key was used with a different request',
  429: 'Rate limit exceeded; see Retry-After',
};

/** JSON Schema (2020-12, which OpenAPI 3.1 uses as is) of a zod schema, without the `$schema` marker. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as Json;
  return rest;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const s = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    schema: prop,
  }));
}

function problem(description: string): Json {
  return { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
}

function operationId(spec: RouteSpec): string {
  const words = spec.path
    .split('/')
    .filter(Boolean)
    .map((seg) => (seg.startsWith(':') ? `By-${seg.slice(1)}` : seg))
    .flatMap((seg) => seg.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return spec.method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

function operation(spec: RouteSpec): Json {
  const responses: Record<string, Json> = {};
  const defaults = [
    ...(spec.body || spec.query || spec.params || spec.startsWork ? [400] : []),
    ...(spec.permission === 'public' ? [] : [401, 403]),
    ...(spec.startsWork ? [409, 422] : []),
    429,
  ];
  for (const status of defaults) responses[status] = problem(DEFAULT_PROBLEMS[status]!);
  for (const [status, r] of Object.entries(spec.responses)) {
    if (Number(status) >= 400) responses[status] = problem(r.description);
    else
      responses[status] = r.schema
        ? { description: r.description, content: { 'application/json': { schema: jsonSchema(r.schema, 'output') } } }
        : { description: r.description };
  }
  return {
    operationId: operationId(spec),
    summary: spec.summary,
    tags: spec.tags,
    parameters: [
      ...parameters(spec.params, 'path'),
      ...parameters(spec.query, 'query'),
      ...(spec.startsWork ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : []),
      { $ref: '#/components/parameters/RequestId' },
    ],
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } } : {}),
    responses,
    security:
      spec.permission === 'public' ? [] : [{ bearerAuth: [] }, { apiKeyAuth: [] }, ...(spec.sessionCookie ? [{ codecSession: [] }] : [])],
    'x-permission': spec.permission,
  };
}

/** The OpenAPI 3.1 document of the route table: the same zod schemas the router validates with. */
export function buildOpenApi(specs: RouteSpec[], version: string): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const spec of specs) (paths[spec.path.replace(/:(\w+)/g, '{$1}')] ??= {})[spec.method] = operation(spec);
  return {
    openapi: '3.1.0',
    info: {
      title: 'rahat-temporal API',
      version,
      description: 'Disbursement engine: register beneficiaries, pay them tokens, follow every payout. Errors are RFC 9457 problem+json.',
    },
    tags: [...new Set(specs.flatMap((s) => s.tags))].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: { Problem: PROBLEM },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token of an admin-tool user' },
        apiKeyAuth: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'API key of an external app' },
        codecSession: {
          type: 'apiKey',
          in: 'cookie',
          name: CODEC_SESSION_COOKIE,
          description: 'Browser session for the Temporal Web UI, from POST /codec/session (sign-in page: /codec/login); /codec routes only',
        },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description:
            'Retry-safe key (1-255 printable characters): the same key with the same request (for uploads: the same bytes) replays the first answer for 24 h.',
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
        },
        RequestId: {
          name: 'x-request-id',
          in: 'header',
          required: false,
          description: 'Correlation id, echoed back and carried into the workflow log lines; generated when absent.',
          schema: { type: 'string', pattern: '^[\\w.-]{1,64}$' },
        },
      },
    },
  };
}
