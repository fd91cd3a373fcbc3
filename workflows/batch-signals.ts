import { defineQuery, defineSignal } from '@temporalio/workflow';

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const cancelSignal = defineSignal('cancel');

export interface BatchProgress {
  status: 'PLANNING' | 'RUNNING' | 'PAUSING' | 'PAUSED' | 'CANCELLING' | 'FINISHING';
  round: number;
  payouts: number;
  paid: number;
  failed: number;
  cancelled: number;
  inFlight: number;
  totalAmount: string;
  paidAmount: string;
  remainingAmount: string;
  /** Payouts confirmed per second since the batch started. */
  ratePerSecond: number;
  etaSeconds: number | null;
}

export const progressQuery = defineQuery<BatchProgress>('progress');
