/** Workflow ids are business keys, so a repeated start is harmless (STYLE.md). */
export const workflowIds = {
  registration: (beneficiaryId: string) => `register-beneficiary-${beneficiaryId}`,
  distribution: (distributionId: string) => `distribute-${distributionId}`,
};
