import { ALL_PERMISSIONS, Permission } from './permissions';
import { API_KEY_GRANTABLE, fromDbRole, projectScope, ROLE_PERMISSIONS, ROLES, toDbRole } from './roles';

const ADMIN_ONLY = [
  Permission.UsersManage,
  Permission.ApiKeysManage,
  Permission.AuditRead,
  Permission.ProjectsWrite,
  Permission.WebhooksManage,
];

describe('roles', () => {
  it('When roles are mapped, Then admin has everything and no other role has an admin-only permission', () => {
    expect([...ROLE_PERMISSIONS.admin].sort()).toEqual([...ALL_PERMISSIONS].sort());
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      for (const p of ADMIN_ONLY) expect({ role, has: ROLE_PERMISSIONS[role].has(p) }).toEqual({ role, has: false });
    }
  });

  it('When a viewer or operator acts, Then they cannot see personal data and a viewer cannot write', () => {
    expect(ROLE_PERMISSIONS.viewer.has(Permission.BeneficiariesReadPersonal)).toBe(false);
    expect(ROLE_PERMISSIONS.operator.has(Permission.BeneficiariesReadPersonal)).toBe(false);
    expect([...ROLE_PERMISSIONS.viewer].filter((p) => !p.endsWith(':read'))).toEqual([]);
    expect([...ROLE_PERMISSIONS.operator].sort()).toEqual(
      [Permission.DistributionsRead, Permission.DistributionsWrite, Permission.BeneficiariesRead, Permission.OperationsRead].sort(),
    );
  });

  it('When API keys are granted permissions, Then no admin-only permission is grantable', () => {
    for (const p of ADMIN_ONLY) expect(API_KEY_GRANTABLE.has(p)).toBe(false);
    expect(API_KEY_GRANTABLE.has(Permission.DistributionsWrite)).toBe(true);
  });

  it('When the project scope is computed, Then admins are unscoped, a project manager without projects gets none, others all', () => {
    expect(projectScope('admin', ['a'])).toBeUndefined();
    expect(projectScope('project-manager', [])).toEqual(new Set());
    expect(projectScope('project-manager', ['a'])).toEqual(new Set(['a']));
    expect(projectScope('viewer', [])).toBeUndefined();
    expect(projectScope('operator', ['b'])).toEqual(new Set(['b']));
  });

  it('When a role goes to the database and back, Then it is unchanged', () => {
    for (const role of ROLES) expect(fromDbRole(toDbRole(role))).toBe(role);
  });
});
