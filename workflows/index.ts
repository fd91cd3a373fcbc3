// The one workflowsPath: every workflow the worker runs is exported here.
export { distributeTokensWorkflow, distributionStepQuery } from './distribute-tokens';
export { registerBeneficiaryWorkflow, registrationStepQuery } from './register-beneficiary';
export { cancelImportSignal, importBeneficiariesWorkflow, importProgressQuery } from './import-beneficiaries';
export { eventRelayWorkflow } from './event-relay';
export { batchDistributionWorkflow } from './batch-distribution';
export { cancelSignal, pauseSignal, progressQuery, resumeSignal } from './batch-signals';
export { payoutChunkWorkflow } from './payout-chunk';
export { treasuryOperationWorkflow, treasuryOperationStatusQuery } from './treasury-operation';
export { chainWatchWorkflow } from './chain-watch';
export { orphanSweepWorkflow } from './orphan-sweep';
export { retentionWorkflow } from './retention';
