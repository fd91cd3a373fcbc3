import { z } from 'zod';
import type { RouterDeps } from './router';
import { buildRouter } from './router';
import { route, type RouteSpec } from './route-spec';
import { Permission } from './auth/permissions';

const deps = { auth: { authenticate: async () => undefined }, limiter: { take: () => undefined } } as unknown as RouterDeps;
const spec = (over: Partial<RouteSpec>): RouteSpec =>
  route({
    method: 'get',
    path: '/x',
    summary: 'x',
    tags: [],
    permission: Permission.ProjectsRead,
    responses: {},
    handler: async () => undefined,
    ...over,
  });

describe('buildRouter (default deny)', () => {
  it('When every route names a known permission or public, Then the router is built', () => {
    expect(() => buildRouter([spec({}), spec({ path: '/y', permission: 'public' })], deps)).not.toThrow();
  });

  it('When a route names no permission or an unknown one, Then building the router fails naming the route', () => {
    expect(() => buildRouter([spec({ permission: undefined as unknown as Permission })], deps)).toThrow(
      'route GET /x declares no known permission',
    );
    expect(() => buildRouter([spec({ path: '/z', permission: 'everything' as Permission })], deps)).toThrow(
      'route GET /z declares no known permission',
    );
  });

  it('When a route is declared twice, Then building fails', () => {
    expect(() => buildRouter([spec({}), spec({})], deps)).toThrow('route GET /x is declared twice');
  });

  it('When a route omits its permission, Then it does not type-check', () => {
    const withoutPermission = () =>
      // @ts-expect-error: `permission` is required; this line stops compiling if it ever becomes optional.
      route({ method: 'get', path: '/x', summary: 'x', tags: [], body: z.object({}), responses: {}, handler: async () => undefined });
    expect(typeof withoutPermission).toBe('function');
  });
});
