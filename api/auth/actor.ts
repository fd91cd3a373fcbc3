import type { Request } from 'express';
import type { Permission } from './permissions';

/** Who is calling: an admin-tool user (JWT) or an external app (API key). */
export interface Actor {
  kind: 'user' | 'api-key';
  id: string;
  permissions: ReadonlySet<Permission>;
  /** undefined = every project; otherwise only these. */
  projects?: ReadonlySet<string>;
}

/** Resolves the caller from the request; undefined when no credentials were given. */
export interface Authenticator {
  /**
   * Throws an HttpProblem(401) for credentials that were given but are invalid or expired.
   * With `sessionCookie`, the codec's browser session cookie counts too (when no header is sent).
   */
  authenticate(req: Request, opts?: { sessionCookie?: boolean }): Promise<Actor | undefined>;
}

export function mayAccessProject(actor: Actor, projectId: string): boolean {
  return actor.projects === undefined || actor.projects.has(projectId);
}
