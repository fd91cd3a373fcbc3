import type { ApiDeps } from '../deps';
import type { RouteSpec } from '../route-spec';
import { beneficiaryRoutes } from './beneficiaries';
import { distributionRoutes } from './distributions';
import { healthRoutes } from './health';
import { projectRoutes } from './projects';

/** Every route of the API, in one table (the router, OpenAPI and security tests read it). */
export function routeTable(deps: ApiDeps): RouteSpec[] {
  return [...healthRoutes(deps), ...projectRoutes(deps), ...beneficiaryRoutes(deps), ...distributionRoutes(deps)];
}
