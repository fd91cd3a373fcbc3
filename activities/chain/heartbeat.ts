import { Context } from '@temporalio/activity';

/** Heartbeats when running as an activity (a no-op in scripts and unit tests). */
export function heartbeat(details?: unknown): void {
  let ctx: Context | undefined;
  try {
    ctx = Context.current();
  } catch {
    return;
  }
  ctx.heartbeat(details);
}
