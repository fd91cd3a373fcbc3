import { makeError } from 'ethers';
import { classifyChainError } from './errors';

const TREASURY = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const tx = { to: TREASURY, data: '0x' };

function callException(revert: { name: string; signature: string; args: unknown[] } | null, reason: string | null = null) {
  return makeError('execution reverted', 'CALL_EXCEPTION', {
    action: 'call',
    data: '0xe450d38c',
    reason,
    transaction: tx,
    invocation: null,
    revert,
  });
}

describe('classifyChainError', () => {
  it('When a call reverts with a custom error, Then it is a permanent revert carrying the error name', () => {
    const err = callException({
      name: 'ERC20InsufficientBalance',
      signature: 'ERC20InsufficientBalance(address,uint256,uint256)',
      args: [TREASURY, 0n, 5n],
    });

    const c = classifyChainError(err);

    expect(c).toEqual({ kind: 'reverted', permanent: true, reason: 'ERC20InsufficientBalance', message: err.message });
  });

  it('When a call reverts with only a reason string, Then the reason string is kept', () => {
    const c = classifyChainError(callException(null, 'already released'));

    expect(c).toMatchObject({ kind: 'reverted', permanent: true, reason: 'already released' });
  });

  it('When a call reverts without any reason, Then it is still a permanent revert with no reason', () => {
    const c = classifyChainError(callException(null, null));

    expect(c.kind).toBe('reverted');
    expect(c.permanent).toBe(true);
    expect(c.reason).toBeUndefined();
  });

  it.each([
    [
      'INSUFFICIENT_FUNDS',
      () => makeError('insufficient funds for gas * price + value', 'INSUFFICIENT_FUNDS', { transaction: tx }),
      'insufficient-funds',
    ],
    ['NONCE_EXPIRED', () => makeError('nonce has already been used', 'NONCE_EXPIRED', { transaction: tx }), 'nonce-too-low'],
    [
      'REPLACEMENT_UNDERPRICED',
      () => makeError('replacement fee too low', 'REPLACEMENT_UNDERPRICED', { transaction: tx }),
      'replacement-underpriced',
    ],
    ['TIMEOUT', () => makeError('timeout', 'TIMEOUT', { operation: 'waitForTransaction', reason: 'timeout' }), 'timeout'],
    ['NETWORK_ERROR', () => makeError('network changed', 'NETWORK_ERROR', { event: 'changed' }), 'network'],
  ] as const)('When ethers reports %s, Then it is a transient %s', (_code, build, kind) => {
    const err = build();

    const c = classifyChainError(err);

    expect(c).toEqual({ kind, permanent: false, message: err.message });
  });

  it('When a node answers a plain "nonce too low" error, Then the message alone classifies it', () => {
    const c = classifyChainError(new Error('Nonce too low: next nonce 7, tx nonce 5'));

    expect(c).toMatchObject({ kind: 'nonce-too-low', permanent: false });
  });

  it('When the connection is refused, Then it is a transient network error', () => {
    expect(classifyChainError(new Error('connect ECONNREFUSED 127.0.0.1:8545')).kind).toBe('network');
  });

  it('When the error is unknown, Then it is transient and keeps the message', () => {
    const c = classifyChainError(new Error('something odd'));

    expect(c).toEqual({ kind: 'unknown', permanent: false, message: 'something odd' });
  });

  it('When a non-Error value is thrown, Then its string form is the message', () => {
    expect(classifyChainError('weird')).toEqual({ kind: 'unknown', permanent: false, message: 'weird' });
  });

  it.each([['intrinsic gas too high -- tx.gas_limit > env.block.gas_limit'], ['exceeds block gas limit'], ['oversized data']])(
    'When the node refuses a submission for good ("%s"), Then it is a permanent refusal carrying the node\'s words',
    (nodeWords) => {
      const err = Object.assign(new Error('could not coalesce error'), { error: { code: -32000, message: nodeWords } });

      expect(classifyChainError(err)).toMatchObject({ kind: 'refused', permanent: true, reason: nodeWords });
    },
  );

  it.each([['max fee per gas less than block base fee'], ['transaction underpriced'], ['gas price below minimum']])(
    'When the node finds the fees too low ("%s"), Then it is transient and asks for a higher-priced version',
    (nodeWords) => {
      const err = Object.assign(new Error('could not coalesce error'), { error: { code: -32003, message: nodeWords } });

      expect(classifyChainError(err)).toMatchObject({ kind: 'fee-too-low', permanent: false });
    },
  );

  it('When a rebroadcast meets a higher-priced version of ours at the nonce, Then it is a replacement-underpriced, not a fee problem', () => {
    const err = Object.assign(new Error('could not coalesce error'), {
      error: { code: -32003, message: 'replacement transaction underpriced' },
    });

    expect(classifyChainError(err).kind).toBe('replacement-underpriced');
  });
});
