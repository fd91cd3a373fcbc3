/**
 * What the API and importBeneficiariesWorkflow share: the input, the progress the workflow
 * answers to its query, and the names of that query and of the cancel signal. Pure: the
 * workflow bundle imports it.
 */

export const IMPORT_PROGRESS_QUERY = 'importProgress';
export const CANCEL_IMPORT_SIGNAL = 'cancelImport';

export interface ImportWorkflowInput {
  importId: string;
  projectId: string;
  dryRun: boolean;
  deployWallets: boolean;
  /** Rows come from a partner registry (pulled by the workflow), not an upload (staged by the API). */
  fromPartner: boolean;
}

export type ImportPhase = 'staging' | 'validating' | 'enrolling' | 'deploying-wallets' | 'finished';

export interface ImportProgress {
  phase: ImportPhase;
  total: number;
  valid: number;
  invalid: number;
  duplicate: number;
  enrolled: number;
  failed: number;
  /** Valid rows neither enrolled nor failed yet. */
  remaining: number;
  walletsDeployed: number;
  cancelRequested: boolean;
}
