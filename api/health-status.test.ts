import { summarize } from './health-status';

const up = { status: 'up', latencyMs: 1 };

describe('summarize /health checks', () => {
  it('When every check is up, Then ok with 200 and nothing named', () => {
    expect(summarize({ database: up, temporal: up, redis: up, signers: [{ ...up, address: '0xa' }] })).toEqual({
      status: 'ok',
      httpStatus: 200,
      down: [],
      degraded: [],
    });
  });

  it('When Redis, the chain or a signer fails, Then degraded with 200, each named with its reason', () => {
    const result = summarize({
      database: up,
      temporal: up,
      redis: { status: 'down', error: 'redis not ready' },
      chain: { status: 'degraded', reason: 'head block 7 is 300 s old' },
      signers: [up, { status: 'degraded', address: '0xb', reason: 'nonces 3 have no transaction' }],
    });

    expect(result).toEqual({
      status: 'degraded',
      httpStatus: 200,
      down: [],
      degraded: [
        { check: 'redis', reason: 'redis not ready' },
        { check: 'chain', reason: 'head block 7 is 300 s old' },
        { check: 'signers:0xb', reason: 'nonces 3 have no transaction' },
      ],
    });
  });

  it('When the database or Temporal is down, Then unavailable with 503, naming it apart from what is only degraded', () => {
    const result = summarize({ database: up, temporal: { status: 'down', error: 'no answer within 2000 ms' }, redis: { status: 'down' } });

    expect(result.status).toBe('unavailable');
    expect(result.httpStatus).toBe(503);
    expect(result.down).toEqual([{ check: 'temporal', reason: 'no answer within 2000 ms' }]);
    expect(result.degraded).toEqual([{ check: 'redis', reason: 'down' }]);
  });

  it('When a check added later reports something other than up (an open breaker), Then it is degraded without any change here', () => {
    expect(summarize({ database: up, temporal: up, breakerPartner: { status: 'open', reason: 'failures 5/5' } }).degraded).toEqual([
      { check: 'breakerPartner', reason: 'failures 5/5' },
    ]);
  });
});
