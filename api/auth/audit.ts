import type { Request, Response } from 'express';
import type { PrismaClient } from '../../common/db';
import type { Logger } from '../../common/logger';

export interface AuditActor {
  kind: string;
  id: string;
}

/** Ids that are safe to record: no spaces, no '@' (an email is personal data), no control characters. */
const TARGET = /^[\w.:-]{1,200}$/;

/** Lets a public route (login, refresh) name who acted once it knows. */
export function setAuditActor(res: Response, actor: AuditActor): void {
  res.locals.auditActor = actor;
}

function targetOf(params: Record<string, unknown>, res: Response): string | undefined {
  const fromParams = params.id;
  const location = res.getHeader('location');
  const fromLocation = typeof location === 'string' ? location.split('?')[0].split('/').pop() : undefined;
  const target = typeof fromParams === 'string' ? fromParams : ((res.locals.auditTarget as string | undefined) ?? fromLocation);
  return target !== undefined && TARGET.test(target) ? target : undefined;
}

/**
 * Records the request in the audit log just before its response is sent, whatever produced
 * it (the handler, or the error middleware after a refusal), so the row exists by the time
 * the caller sees the answer. Requests that never identified a caller are not recorded.
 */
export function auditOnEnd(deps: { prisma: PrismaClient; logger: Logger }, req: Request, res: Response, action: string): void {
  const end = res.end;
  // Express resets req.params once the route is left, before the error middleware answers.
  const params = { ...(req.params as Record<string, unknown>) };
  res.end = function auditedEnd(this: Response, ...args: unknown[]) {
    res.end = end;
    const actor = res.locals.auditActor as AuditActor | undefined;
    const finish = () => (end as (...a: unknown[]) => Response).apply(this, args);
    if (!actor) return finish();
    deps.prisma.auditLog
      .create({
        data: {
          actorKind: actor.kind,
          actorId: actor.id.slice(0, 200),
          action,
          targetId: targetOf(params, res),
          requestId: req.id,
          status: res.statusCode,
        },
      })
      .catch((err: Error) => deps.logger.error({ requestId: req.id, action, err: err.message }, 'audit record could not be written'))
      .finally(finish);
    return this;
  } as Response['end'];
}
