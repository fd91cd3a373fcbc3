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
 */
let chain: OwnChain;
let sys: System;
let ctx: ExampleContext;

beforeAll(async () => {
  // A chain of its own: calling every route as the admin flips the treasury's pause switch.
  chain = await startOwnChain();
  sys = await startSystem({ ...chain.env, RATE_LIMIT_PER_MINUTE: '1000000', LOGIN_RATE_LIMIT_PER_MINUTE: '1000000' });
  ctx = await seedProject(sys, 'hostile-p');
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

describe('hostile input', () => {
  it('When every route gets every hostile variant, Then none answers 5xx, mutations answer 4xx, and no row is written', async () => {
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
