import type { Infrastructure } from '../../scripts/stack/infrastructure';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __stack?: Infrastructure }).__stack?.stop();
}
