import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes, registered on the Temporal server at start-up (dev server
 * flags, compose's admin-tools job) so operators can find workflows in the Web UI, e.g.
 * `ProjectId = "el-2026" AND DistributionStatus = "FAILED"`.
 */
export const SEARCH_ATTRIBUTES = {
  ProjectId: 'Keyword',
  BatchId: 'Keyword',
  BeneficiaryId: 'Keyword',
  DistributionStatus: 'Keyword',
  ImportId: 'Keyword',
} as const;

export type SearchAttributeName = keyof typeof SEARCH_ATTRIBUTES;

/** Typed keys for workflows (upsertTypedSearchAttributes) and the client (typedSearchAttributes). */
export const searchAttributeKeys = {
  projectId: defineSearchAttributeKey('ProjectId', SearchAttributeType.KEYWORD),
  batchId: defineSearchAttributeKey('BatchId', SearchAttributeType.KEYWORD),
  beneficiaryId: defineSearchAttributeKey('BeneficiaryId', SearchAttributeType.KEYWORD),
  distributionStatus: defineSearchAttributeKey('DistributionStatus', SearchAttributeType.KEYWORD),
  importId: defineSearchAttributeKey('ImportId', SearchAttributeType.KEYWORD),
};
