import { effectiveStatus } from './payout-status';

describe('effectiveStatus', () => {
  it('When a pending payout is in a chunk being sent, Then it shows the chunk state', () => {
    expect(effectiveStatus('PENDING', 'SIGNED')).toBe('SIGNED');
    expect(effectiveStatus('PENDING', 'SUBMITTED')).toBe('SUBMITTED');
  });

  it('When the payout has a final state or no chunk in flight, Then its own state stands', () => {
    expect(effectiveStatus('CONFIRMED', 'SUBMITTED')).toBe('CONFIRMED');
    expect(effectiveStatus('FAILED', undefined)).toBe('FAILED');
    expect(effectiveStatus('PENDING', 'PENDING')).toBe('PENDING');
    expect(effectiveStatus('PENDING', undefined)).toBe('PENDING');
  });
});
