import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { defaultActivityOptions } from './activity-options';
import { Saga } from './saga';
import { sendTx } from './send-tx';

/** Ids only: the personal data waits, encrypted, in the draft the API staged. */
export interface RegisterBeneficiaryInput {
  beneficiaryId: string;
  projectId: string;
}

export interface RegisterBeneficiaryResult {
  beneficiaryId: string;
  walletAddress: string;
}

export type RegistrationStep = 'storing' | 'creating-wallet' | 'deploying-wallet' | 'activating' | 'done' | 'failed';
export const registrationStepQuery = defineQuery<RegistrationStep>('registrationStep');

const act = proxyActivities<Activities>(defaultActivityOptions);

/**
 * The seed's flow: store beneficiary → create wallet (address known before deployment) →
 * deploy the wallet contract (no-op for an address the person brought, or one already
 * deployed) → activate. A business failure after storing compensates: FAILED with the reason,
 * no wallet row left.
 */
export async function registerBeneficiaryWorkflow({ beneficiaryId }: RegisterBeneficiaryInput): Promise<RegisterBeneficiaryResult> {
  let step: RegistrationStep = 'storing';
  setHandler(registrationStepQuery, () => step);
  const saga = new Saga();
  try {
    const { walletAddress } = await act.storeBeneficiary({ beneficiaryId });
    saga.add((reason) => act.failBeneficiary({ beneficiaryId, reason }));
    step = 'creating-wallet';
    const wallet = await act.createWallet({ beneficiaryId, externalAddress: walletAddress });
    step = 'deploying-wallet';
    const sent = await sendTx(() => act.prepareWalletDeployment({ beneficiaryId }));
    await act.confirmWalletDeployment({ beneficiaryId, outcome: sent.kind === 'paid' ? { kind: 'none' } : sent });
    step = 'activating';
    await act.activateBeneficiary({ beneficiaryId });
    step = 'done';
    return { beneficiaryId, walletAddress: wallet.address };
  } catch (err) {
    step = 'failed';
    await saga.compensate(err);
    throw err;
  }
}
