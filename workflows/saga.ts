import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

type Undo = (reason: string) => Promise<void>;

/** Undo steps collected as a workflow goes, run in reverse when it fails for good. */
export class Saga {
  private readonly undo: Undo[] = [];

  add(step: Undo): void {
    this.undo.push(step);
  }

  async compensate(err: unknown): Promise<void> {
    const reason = failureReason(err);
    for (const step of [...this.undo].reverse()) await step(reason);
  }
}

/** "Type: message" of the business failure underneath an activity failure. */
export function failureReason(err: unknown): string {
  const inner = err instanceof ActivityFailure && err.cause ? err.cause : err;
  if (inner instanceof ApplicationFailure) return `${inner.type ?? 'Error'}: ${inner.message}`;
  return inner instanceof Error ? inner.message : String(inner);
}
