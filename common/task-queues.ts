/**
 * Task-queue routing (what replaces the seed's service discovery): workflows and the hot key's
 * activities run on the configured queue; whatever needs the admin key runs on its `-admin`
 * sibling, served only by the admin worker. Pure: workflows import it.
 */
export const adminTaskQueue = (taskQueue: string) => `${taskQueue}-admin`;
