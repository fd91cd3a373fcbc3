import type { ApiDeps } from '../deps';
import type { RouteSpec } from '../route-spec';
import { batchControlRoutes } from './batch-control';
import { batchRoutes } from './batches';
import { batchUploadRoutes } from './batch-upload';
import { apiKeyRoutes } from './api-keys';
import { auditRoutes } from './audit';
import { authRoutes } from './auth';
import { beneficiaryLookupRoutes } from './beneficiary-lookup';
import { beneficiaryRoutes } from './beneficiaries';
import { codecRoutes } from './codec';
import { groupRoutes } from './groups';
import { importRoutes } from './imports';
import { distributionRoutes } from './distributions';
import { healthRoutes } from './health';
import { openApiRoutes } from '../openapi-routes';
import { operationsRoutes } from './operations';
import { projectRoutes } from './projects';
import { treasuryRoutes } from './treasury';
import { userRoutes } from './users';
import { webhookDeliveryRoutes } from './webhook-deliveries';
import { webhookRoutes } from './webhooks';

/** Every route of the API, in one table (the router, OpenAPI and security tests read it). */
export function routeTable(deps: ApiDeps): RouteSpec[] {
  const table: RouteSpec[] = [
    ...healthRoutes(deps),
    ...operationsRoutes(deps),
    ...openApiRoutes(() => table),
    ...webhookRoutes(deps),
    ...webhookDeliveryRoutes(deps),
    ...authRoutes(deps),
    ...userRoutes(deps),
    ...apiKeyRoutes(deps),
    ...auditRoutes(deps),
    ...projectRoutes(deps),
    ...treasuryRoutes(deps),
    ...beneficiaryLookupRoutes(deps),
    ...beneficiaryRoutes(deps),
    ...groupRoutes(deps),
    ...importRoutes(deps),
    ...codecRoutes(deps),
    ...distributionRoutes(deps),
    ...batchUploadRoutes(deps),
    ...batchRoutes(deps),
    ...batchControlRoutes(deps),
  ];
  return table;
}
