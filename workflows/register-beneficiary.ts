import { defineQuery, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { defaultActivityOptions } from './activity-options';
import { Saga } from './saga';

export interface RegisterBeneficiaryInput {
  beneficiaryId: string;
  projectId: string;
  externalId: string;
}

export interface RegisterBeneficiaryResult {
  beneficiaryId: string;
  walletAddress: string;
}

export type RegistrationStep = 'storing' | 'creating-wallet' | 'storing-wallet' | 'activating' | 'done' | 'failed';
export const registrationStepQuery = defineQuery<RegistrationStep>('registrationStep');

const act = proxyActivities<Activities>(defaultActivityOptions);

/** Seed flow: store beneficiary → create wallet → store wallet → done; FAILED with a reason otherwise. */
export async function registerBeneficiaryWorkflow(input: RegisterBeneficiaryInput): Promise<RegisterBeneficiaryResult> {
  const { beneficiaryId } = input;
  let step: RegistrationStep = 'storing';
  setHandler(registrationStepQuery, () => step);
  const saga = new Saga();
  try {
    await act.storeBeneficiary(input);
    saga.add((reason) => act.failBeneficiary({ beneficiaryId, reason }));
    step = 'creating-wallet';
    const { address } = await act.createWallet({ beneficiaryId });
    step = 'storing-wallet';
    await act.storeWallet({ beneficiaryId, address });
    step = 'activating';
    await act.activateBeneficiary({ beneficiaryId });
    step = 'done';
    return { beneficiaryId, walletAddress: address };
  } catch (err) {
    step = 'failed';
    await saga.compensate(err);
    throw err;
  }
}
