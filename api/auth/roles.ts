import type { UserRole } from '../../prisma/generated/enums';
import { ALL_PERMISSIONS, Permission } from './permissions';

/** Role names as the API speaks them; the database enum is their upper-case form. */
export const ROLES = ['admin', 'project-manager', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const READ_ONLY: Permission[] = [
  Permission.ProjectsRead,
  Permission.BeneficiariesRead,
  Permission.DistributionsRead,
  Permission.OperationsRead,
];

/**
 * What each role may do. Only admins manage users, API keys, projects, webhooks and read the
 * audit log; a permission added to permissions.ts is admin-only until a role here lists it.
 */
export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(ALL_PERMISSIONS),
  'project-manager': new Set([
    ...READ_ONLY,
    Permission.BeneficiariesReadPersonal,
    Permission.BeneficiariesWrite,
    Permission.DistributionsWrite,
  ]),
  operator: new Set([Permission.DistributionsRead, Permission.DistributionsWrite, Permission.BeneficiariesRead, Permission.OperationsRead]),
  viewer: new Set(READ_ONLY),
};

/**
 * What an API key may be granted: project work, never administration. Keys are always
 * project-scoped, so a permission that acts outside projects (create a project, manage
 * users) must not be grantable.
 */
export const API_KEY_GRANTABLE: ReadonlySet<Permission> = ROLE_PERMISSIONS['project-manager'];

/** Admins act on every project; the others on their list, where empty means every project
 * for operators and viewers (a project manager must have at least one). */
export function projectScope(role: Role, projects: readonly string[]): ReadonlySet<string> | undefined {
  if (role === 'admin') return undefined;
  if (projects.length === 0) return role === 'project-manager' ? new Set() : undefined;
  return new Set(projects);
}

export const toDbRole = (role: Role): UserRole => role.toUpperCase().replace('-', '_') as UserRole;
export const fromDbRole = (role: UserRole): Role => role.toLowerCase().replace('_', '-') as Role;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
