import { z } from 'zod';
import { CODEC_SESSION_COOKIE } from './auth/cookies';
import { edgeProblems, METHOD_NOT_ALLOWED } from './edge-problems';
import { IDEMPOTENCY_KEY_PATTERN } from './idempotency';
import { REQUEST_ID_PATTERN } from './request-id';
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

const HEADERS: Record<number, Json> = {
  405: { Allow: { description: 'The methods the path takes, e.g. GET, HEAD, POST', schema: { type: 'string' } } },
  429: { 'Retry-After': { description: 'Seconds until the caller may try again', schema: { type: 'integer', minimum: 1 } } },
};

function problem(status: number, description: string): Json {
  return {
    description,
    ...(HEADERS[status] ? { headers: HEADERS[status] } : {}),
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
}

/** The handler's own description of a status first, then what the edge answers with it too. */
const joined = (own: string | undefined, edge: string | undefined) =>
  [own, edge && own ? edge[0]!.toLowerCase() + edge.slice(1) : edge].filter(Boolean).join('; or: ');

function requestBody(spec: RouteSpec): Json | undefined {
  if (spec.upload) {
    const types = [spec.upload.contentType].flat();
    return {
      required: true,
      description: `Streamed, up to ${spec.upload.maxBytes} bytes`,
      // Rows the handler parses itself: a JSON upload is an array, anything else text.
      content: Object.fromEntries(types.map((t) => [t, { schema: t === 'application/json' ? { type: 'array' } : { type: 'string' } }])),
    };
  }
  if (!spec.body) return undefined;
  // A missing body is validated as {} (validate.ts): it is required exactly when {} is refused.
  const required = !spec.body.safeParse({}).success;
  return { required, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } };
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
  const edge = edgeProblems(spec);
  const statuses = [...new Set([...Object.keys(edge), ...Object.keys(spec.responses)].map(Number))].sort((a, b) => a - b);
  for (const status of statuses) {
    const r = spec.responses[status];
    if (status >= 400) responses[status] = problem(status, joined(r?.description, edge[status]));
    else
      responses[status] = r!.schema
        ? { description: r!.description, content: { 'application/json': { schema: jsonSchema(r!.schema, 'output') } } }
        : { description: r!.description };
  }
  const body = requestBody(spec);
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
    ...(body ? { requestBody: body } : {}),
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
      description:
        'Disbursement engine: register beneficiaries, pay them tokens, follow every payout. Errors are RFC 9457 problem+json, ' +
        'with only the statuses each operation lists. A path asked with a method it does not list answers 405 with Allow ' +
        '(components.responses.MethodNotAllowed); OPTIONS answers 200 with the same Allow.',
    },
    tags: [...new Set(specs.flatMap((s) => s.tags))].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: { Problem: PROBLEM },
      responses: { MethodNotAllowed: problem(405, METHOD_NOT_ALLOWED) },
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
          schema: { type: 'string', minLength: 1, maxLength: 255, pattern: IDEMPOTENCY_KEY_PATTERN.source },
        },
        RequestId: {
          name: 'x-request-id',
          in: 'header',
          required: false,
          description:
            'Correlation id, echoed back and carried into the workflow log lines; generated when absent, refused (400) when it does not match.',
          schema: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
        },
      },
    },
  };
}
