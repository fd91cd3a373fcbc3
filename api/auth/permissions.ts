/**
 * What a caller may do. Every route declares one permission (or 'public'); a role or an API
 * key grants a set. Project-scoped callers may act only on their projects.
 */
export const Permission = {
  ProjectsRead: 'projects:read',
  ProjectsWrite: 'projects:write',
  BeneficiariesRead: 'beneficiaries:read',
  /** See personal data unmasked. */
  BeneficiariesReadPersonal: 'beneficiaries:read-personal',
  BeneficiariesWrite: 'beneficiaries:write',
  DistributionsRead: 'distributions:read',
  DistributionsWrite: 'distributions:write',
  OperationsRead: 'operations:read',
  AuditRead: 'audit:read',
  UsersManage: 'users:manage',
  ApiKeysManage: 'api-keys:manage',
  WebhooksManage: 'webhooks:manage',
  /** Budgets, minting and the pause switch: the admin key's actions, on the admin task queue. */
  TreasuryManage: 'treasury:manage',
} as const;

export type Permission = (typeof Permission)[keyof typeof Permission];
export const ALL_PERMISSIONS: Permission[] = Object.values(Permission);
