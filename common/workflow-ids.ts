/** Workflow ids are business keys, so a repeated start is harmless (STYLE.md). */
export const workflowIds = {
  registration: (beneficiaryId: string) => `register-beneficiary-${beneficiaryId}`,
  distribution: (distributionId: string) => `distribute-${distributionId}`,
  /** Round 0 is the batch itself; later rounds retry its failed payouts. */
  batch: (batchId: string, round = 0) => (round === 0 ? `batch-${batchId}` : `batch-${batchId}-round-${round}`),
  /** One relay per task queue: a deployment has one queue, each test suite its own. */
  eventRelay: (taskQueue: string) => `event-relay-${taskQueue}`,
  beneficiaryImport: (importId: string) => `import-beneficiaries-${importId}`,
  chunk: (chunkId: string) => `chunk-${chunkId}`,
  treasuryOperation: (operationId: string) => `treasury-op-${operationId}`,
  /** One watch per task queue and key (the hot key's, and the admin key's). */
  chainWatch: (taskQueue: string, admin = false) => `chain-watch-${taskQueue}${admin ? '-admin' : ''}`,
};
