import type { PrismaClient } from '../../common/db';
import { HttpProblem } from '../problem';

/** 422 naming the projects that do not exist, for grants of users and API keys. */
export async function requireProjects(prisma: PrismaClient, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = new Set((await prisma.project.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((p) => p.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length) {
    throw new HttpProblem(422, 'Unknown project', `projects ${missing.join(', ')} do not exist`, [
      { field: 'body.projects', message: `${missing.join(', ')} do not exist` },
    ]);
  }
}
