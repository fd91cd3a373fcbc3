import type { Authenticator } from './actor';
import { ALL_PERMISSIONS } from './permissions';

/**
 * TEMPORARY, until the auth issue lands real users and API keys: every request acts as a
 * full-permission development actor. Must be replaced before any deployment.
 */
export const openAuthenticator: Authenticator = {
  async authenticate() {
    return { kind: 'user', id: 'development', permissions: new Set(ALL_PERMISSIONS) };
  },
};
