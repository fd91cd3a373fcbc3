// The one workflowsPath: every workflow the worker runs is exported here.
export { distributeTokensWorkflow, distributionStepQuery } from './distribute-tokens';
export { registerBeneficiaryWorkflow, registrationStepQuery } from './register-beneficiary';
