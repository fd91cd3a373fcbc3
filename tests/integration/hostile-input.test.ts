import type { RouteSpec } from '../../api/route-spec';
import { deeplyNested, NAUGHTY_STRINGS, PROTOTYPE_KEYS, WRONG_TYPES } from '../fixtures/naughty-strings';
import { pathOf, ROUTE_EXAMPLES, routeKey, type ExampleContext, type RouteExample } from '../fixtures/route-examples';
import { seedProject, tableCounts } from '../support/security-fixture';
import { startOwnChain, type OwnChain } from '../support/own-chain';
import { call, startSystem, type System } from '../support/system';

/*
 * Hostile input at every route of the served route table, as the admin (so it reaches
 * validation): each path parameter, query value and body field replaced by every naughty
 * string and wrong type, prototype keys, malformed, nested, scalar, huge and non-JSON bodies.
 * Always a 4xx for mutations (never a 5xx anywhere), and no table gains or loses a row.
 * Then every operation of the served /openapi.json with its body missing, each required field
 * missing, each field null and mutually exclusive fields together. Every status answered on
 * the way must be one the document lists for that operation.
 */
let chain: OwnChain;
let sys: System;
let ctx: ExampleContext;
let doc: OpenApi;

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  /** Mutually exclusive sets of fields: each member requires its set (and forbids the others). */
  oneOf?: { required: string[] }[];
  anyOf?: JsonSchema[];
}
interface Operation {
  'x-permission': string;
  parameters: { name?: string; in?: string; required?: boolean }[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, unknown>;
}
interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
}

beforeAll(async () => {
  // A chain of its own: calling every route as the admin flips the treasury's pause switch.
  chain = await startOwnChain();
  sys = await startSystem({ ...chain.env, RATE_LIMIT_PER_MINUTE: '1000000', LOGIN_RATE_LIMIT_PER_MINUTE: '1000000' });
  ctx = await seedProject(sys, 'hostile-p');
  doc = (await call(sys.api.url, 'GET', '/openapi.json', undefined, { auth: 'none' })).body;
}, 120_000);

afterAll(async () => {
  await sys?.stop();
  await chain?.stop();
});

interface Variant {
  label: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** A legitimately valid value: 2xx allowed. */
  mayAccept?: boolean;
  expect?: number;
}

type Json = Record<string, unknown> | unknown[];
/** Paths to every value in a JSON body, containers included ([0] for arrays). */
function fieldPaths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const entries: [string | number, unknown][] = Array.isArray(value) ? (value.length ? [[0, value[0]]] : []) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...(v && typeof v === 'object' ? fieldPaths(v as Json, [...prefix, k]) : [])]);
}
function withValue(body: Json, path: (string | number)[], value: unknown): Json {
  const copy = structuredClone(body);
  let at: any = copy;
  for (const k of path.slice(0, -1)) at = at[k];
  at[path[path.length - 1]] = value;
  return copy;
}

function variants(route: RouteSpec, ex: RouteExample): Variant[] {
  const base = { ...ex, ...ex.hostile };
  const url = (params = base.params, query = base.query) => pathOf(route.path, params) + (query ? `?${new URLSearchParams(query)}` : '');
  // Upload routes get their own content type; everything else JSON.
  const raw = (body: string) => ({ body, headers: base.raw ? { 'content-type': base.raw.contentType } : undefined });
  const same = base.raw ? raw(base.raw.body) : { body: base.body };
  const out: Variant[] = [{ label: 'the example itself', path: url(), ...same, mayAccept: true }];
  for (const name of route.path.match(/:\w+/g)?.map((p) => p.slice(1)) ?? []) {
    // An empty segment would address another route; every other string stays on this one.
    for (const v of NAUGHTY_STRINGS.filter(Boolean))
      out.push({ label: `param ${name}=${show(v)}`, path: url({ ...base.params, [name]: v }), ...same });
  }
  for (const key of Object.keys(base.query ?? {})) {
    for (const v of NAUGHTY_STRINGS)
      out.push({ label: `query ${key}=${show(v)}`, path: url(base.params, { ...base.query, [key]: v }), ...same });
  }
  out.push({ label: 'unknown query key', path: `${url()}${base.query ? '&' : '?'}__proto__[admin]=1&unexpected=1`, ...same });
  if (route.method === 'get') return out;
  if (base.raw) {
    const header = base.raw.body.split('\n')[0];
    for (const v of NAUGHTY_STRINGS) out.push({ label: `upload row ${show(v)}`, path: url(), ...raw(`${header}\n${v}\n`) });
  }
  const body = (base.body ?? {}) as Json;
  for (const field of fieldPaths(body)) {
    for (const v of [...NAUGHTY_STRINGS, ...WRONG_TYPES]) {
      const mayAccept = ex.accepts?.includes(field.join('.'));
      out.push({ label: `body ${field.join('.')}=${show(v)}`, path: url(), body: withValue(body, field, v), mayAccept });
    }
  }
  const rest = JSON.stringify(body).slice(1);
  for (const k of PROTOTYPE_KEYS)
    out.push({ label: `body key ${k}`, path: url(), body: `{"${k}":{"admin":true}${rest === '}' ? '' : ','}${rest}` });
  out.push(
    { label: 'NUL in a key', path: url(), body: '{"a\\u0000":1}' },
    // Upload routes read their own formats (JSON files too): any 4xx will do there.
    { label: 'malformed JSON', path: url(), body: '{"a":', expect: route.upload ? undefined : 400 },
    { label: 'a JSON array', path: url(), body: '[]' },
    { label: 'a JSON scalar', path: url(), body: '"x"' },
    { label: 'nested 10 000 deep', path: url(), body: deeplyNested(10_000) },
    { label: 'over 100 kB', path: url(), body: { ...body, pad: 'x'.repeat(110 * 1024) }, expect: route.upload ? undefined : 413 },
    { label: 'a form body', path: url(), body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, expect: 415 },
  );
  return out;
}

const show = (v: unknown) => JSON.stringify(v).slice(0, 40);

const templateOf = (expressPath: string) => expressPath.replace(/:(\w+)/g, '{$1}');
const expressPathOf = (template: string) => template.replace(/\{(\w+)\}/g, ':$1');

/** Whether a URL still addresses the route once the client has resolved its . and .. segments. */
function addresses(routePath: string, url: string): boolean {
  const pattern = routePath.replace(/\./g, '\\.').replace(/:\w+/g, '[^/]+');
  return new RegExp(`^${pattern}/?$`, 'i').test(new URL(url, 'http://api').pathname);
}

/** Why an answer of the route is not one its operation documents, if it is not. */
function undocumented(route: { method: string; path: string }, res: { status: number; headers: Headers }): string | undefined {
  const op = doc.paths[templateOf(route.path)]?.[route.method];
  if (!op) return 'the operation is not in the document';
  if (!(String(res.status) in op.responses)) return `${res.status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`;
  if (res.status >= 400 && !res.headers.get('content-type')?.includes('application/problem+json'))
    return `${res.status} is not problem+json (${res.headers.get('content-type')})`;
  return undefined;
}

describe('hostile input', () => {
  it('When every route gets every hostile variant, Then none answers 5xx, mutations answer 4xx, each status is documented, and no row is written', async () => {
    expect(sys.api.routes.map(routeKey).filter((k) => !ROUTE_EXAMPLES[k])).toEqual([]);
    // Routes that may accept a hostile-looking value (a project named "null") go last, so
    // what they create cannot make another route's refusal succeed.
    const accepting = (r: RouteSpec) => Boolean(ROUTE_EXAMPLES[routeKey(r)](ctx).accepts);
    const routes = [...sys.api.routes.filter((r) => !accepting(r)), ...sys.api.routes.filter(accepting)];
    const problems: string[] = [];
    let sent = 0;
    for (const route of routes) {
      const ex = ROUTE_EXAMPLES[routeKey(route)](ctx);
      const key = routeKey(route);
      let before = JSON.stringify(await counts());
      for (const v of variants(route, ex)) {
        const res = await call(sys.api.url, route.method.toUpperCase(), v.path, v.body, {
          auth: route.permission === 'public' ? 'none' : 'admin',
          headers: v.headers,
        });
        sent++;
        const after = route.method === 'get' ? before : JSON.stringify(await counts());
        const ok = v.expect
          ? res.status === v.expect
          : res.status < 500 && (route.method === 'get' || v.mayAccept || (res.status >= 400 && res.status < 500));
        if (!ok) problems.push(`${key} ${v.label} → ${res.status}${res.status >= 500 ? ` ${JSON.stringify(res.body).slice(0, 200)}` : ''}`);
        const why = addresses(route.path, v.path) ? undocumented(route, res) : undefined;
        if (why) problems.push(`${key} ${v.label} → ${why}`);
        if (v.mayAccept && res.status < 300) {
          // What an accepted request started (a workflow signing a transaction) settles before the next variant is judged.
          before = await settledCounts();
        } else if (after !== before) {
          problems.push(`${key} ${v.label} → ${res.status} wrote rows`);
          before = after;
        }
      }
      if (route.method === 'get' && JSON.stringify(await counts()) !== before) problems.push(`${key} wrote rows on GET`);
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(1000);
  }, 600_000);
});

interface Probe {
  label: string;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The request is invalid: a 400 whose errors name one of these fields (or a field under one). */
  names?: string[];
}

const nullable = (s: JsonSchema): boolean => [s.type].flat().includes('null') || (s.anyOf ?? []).some(nullable);

/** What the document says an operation takes, each broken one way: missing, null, or exclusive fields together. */
function probes(routePath: string, op: Operation, ex: RouteExample): { probes: Probe[]; problems: string[] } {
  const base = { ...ex, ...ex.hostile };
  const url = (query = base.query) =>
    pathOf(routePath, base.params) + (query && Object.keys(query).length ? `?${new URLSearchParams(query)}` : '');
  const same = base.raw ? { body: base.raw.body, headers: { 'content-type': base.raw.contentType } } : { body: base.body };
  const out: Probe[] = [];
  const problems: string[] = [];
  for (const p of op.parameters.filter((q) => q.in === 'query')) {
    const name = p.name!;
    const { [name]: _, ...without } = base.query ?? {};
    if (p.required) out.push({ label: `query ${name} missing`, path: url(without), ...same, names: [`query.${name}`] });
    out.push({ label: `query ${name} empty`, path: url({ ...base.query, [name]: '' }), ...same });
  }
  if (!op.requestBody) return { probes: out, problems };
  // A JSON object body has fields to probe; uploads (text, or a JSON array of rows) answer a
  // missing body with 415 (no content type) or their own 4xx, JSON objects with a 400 naming what is missing.
  const json = op.requestBody.content['application/json']?.schema;
  const schema = json?.type === 'object' ? json : undefined;
  out.push({ label: 'body missing', path: url(), names: schema && op.requestBody.required ? ['body'] : undefined });
  if (!schema) return { probes: out, problems };
  const body = (base.body ?? {}) as Record<string, unknown>;
  const required = schema.required ?? [];
  for (const name of required) {
    const { [name]: _, ...without } = body;
    out.push({ label: `body ${name} missing`, path: url(), body: without, names: [`body.${name}`] });
  }
  const optional = Object.keys(body).filter((name) => !required.includes(name));
  for (const name of optional) {
    const { [name]: _, ...without } = body;
    out.push({ label: `body ${name} (optional) missing`, path: url(), body: without });
  }
  if (optional.length)
    out.push({
      label: 'only the required fields',
      path: url(),
      body: Object.fromEntries(required.filter((n) => n in body).map((n) => [n, body[n]])),
    });
  for (const [name, prop] of Object.entries(schema.properties ?? {}))
    out.push({
      label: `body ${name} null`,
      path: url(),
      body: { ...body, [name]: null },
      names: nullable(prop) ? undefined : [`body.${name}`],
    });
  for (const field of fieldPaths(body).filter((f) => f.length > 1))
    out.push({
      label: `body ${field.join('.')} null`,
      path: url(),
      body: withValue(body, field, null),
      names: [`body.${field.join('.')}`],
    });
  const sets = schema.oneOf?.map((o) => o.required) ?? [];
  if (ex.exclusive && sets.length === 0) problems.push('the example names exclusive fields; the document shows no oneOf');
  const exclusive = [...new Set(sets.flat())];
  for (const set of sets.filter((s) => s.some((f) => !(f in body)))) {
    const together = { ...body };
    for (const f of set.filter((g) => !(g in body))) {
      if (ex.exclusive && f in ex.exclusive) together[f] = ex.exclusive[f];
      else problems.push(`no value for the exclusive field ${f}: give one in the example's \`exclusive\``);
    }
    out.push({ label: `body with ${set.join(' and ')} too`, path: url(), body: together, names: exclusive.map((f) => `body.${f}`) });
  }
  return { probes: out, problems };
}

const names = (body: any, fields: string[]) =>
  Array.isArray(body?.errors) &&
  body.errors.some((e: { field: string }) => fields.some((f) => e.field === f || e.field.startsWith(`${f}.`)));

describe('the document as the contract', () => {
  it('When every operation of the served document gets its body missing, each field missing, each field null and exclusive fields together, Then each answers a documented status as problem+json (400 naming the field when invalid), never 5xx, and no row changes', async () => {
    const problems: string[] = [];
    let sent = 0;
    let together = 0;
    for (const [template, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const route = { method, path: expressPathOf(template) };
        const key = routeKey(route);
        if (!ROUTE_EXAMPLES[key]) {
          problems.push(`${key}: no example in tests/fixtures/route-examples.ts`);
          continue;
        }
        const made = probes(route.path, op, ROUTE_EXAMPLES[key](ctx));
        problems.push(...made.problems.map((p) => `${key}: ${p}`));
        const before = JSON.stringify(await counts());
        for (const p of made.probes) {
          const res = await call(sys.api.url, method.toUpperCase(), p.path, p.body, {
            auth: op['x-permission'] === 'public' ? 'none' : 'admin',
            headers: p.headers,
          });
          sent++;
          if (p.label.endsWith(' too')) together++;
          const at = `${key} ${p.label} → ${res.status}`;
          if (res.status >= 500) problems.push(`${at} ${JSON.stringify(res.body).slice(0, 200)}`);
          const why = undocumented(route, res);
          if (why) problems.push(`${at}: ${why}`);
          if (p.names && (res.status !== 400 || !names(res.body, p.names)))
            problems.push(
              `${at}: expected 400 naming ${p.names.join(' or ')}; got ${JSON.stringify(res.body?.errors ?? res.body).slice(0, 200)}`,
            );
        }
        if (JSON.stringify(await counts()) !== before) problems.push(`${key}: rows changed`);
      }
    }
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThan(150);
    expect(together).toBeGreaterThanOrEqual(3); // the batch's two other target sets, the budget's other direction
  }, 300_000);

  it('When a batch names no payouts, beneficiaries or group, Then 400 problem+json naming body.payouts, and no batch is created', async () => {
    const before = await sys.prisma.distributionBatch.count();

    const res = await call(sys.api.url, 'POST', '/v1/distributions/batches', { projectId: ctx.project });

    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.errors).toEqual([{ field: 'body.payouts', message: expect.stringContaining('exactly one of') }]);
    expect(await sys.prisma.distributionBatch.count()).toBe(before);
  });
});

/** Counts once two reads half a second apart agree (at most 20 s). */
async function settledCounts(): Promise<string> {
  let last = JSON.stringify(await counts());
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const now = JSON.stringify(await counts());
    if (now === last) return now;
    last = now;
  }
  return last;
}

async function counts(): Promise<Record<string, number>> {
  // The audit log records refusals on purpose; everything else must stay as it was.
  const { audit_logs: _audit, ...rest } = await tableCounts(sys);
  return rest;
}
