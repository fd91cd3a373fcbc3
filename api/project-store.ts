import type { PrismaClient } from '../common/db';
import { cacheTopics, type HotCache } from '../common/hot-cache';

/**
 * Projects as the routes read and change them. A project is a hot read (every registration
 * checks it): a found one is cached (common/hot-cache.ts), an absent one never, so a project
 * created on one instance is seen by the others at once; a change is published to all.
 */
export function projectStore(prisma: PrismaClient, cache: HotCache) {
  return {
    find: (id: string) =>
      cache.get(
        cacheTopics.project(id),
        () => prisma.project.findUnique({ where: { id } }),
        (found) => found !== null,
      ),
    async rename(id: string, name: string) {
      const { count } = await prisma.project.updateMany({ where: { id }, data: { name } });
      await cache.invalidate(cacheTopics.project(id));
      return count === 1 ? prisma.project.findUnique({ where: { id } }) : null;
    },
  };
}

export type ProjectStore = ReturnType<typeof projectStore>;
