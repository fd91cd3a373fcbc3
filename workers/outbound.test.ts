import { ConfigError, loadConfig } from '../common/config';
import type { Resolver } from '../common/http/address-policy';
import { checkPartnerAddresses } from './outbound';

const DATABASE_URL = 'postgresql://rahat:rahat@127.0.0.1:5432/rahat';
const config = (policy: string) =>
  loadConfig({
    DATABASE_URL,
    OUTBOUND_ADDRESS_POLICY: policy,
    IMPORT_PARTNERS: JSON.stringify({ unicef: { url: 'https://registry.partner.test/feed' }, wfp: { url: 'https://wfp.test/feed' } }),
  });
const resolvingTo =
  (address: string): Resolver =>
  async (host) => [{ address: host === 'wfp.test' ? '93.184.216.34' : address, family: 4 }];

describe('checkPartnerAddresses', () => {
  it('When a partner registry name resolves to a private address under the public policy, Then the worker refuses to start naming IMPORT_PARTNERS and the partner', async () => {
    const err = await checkPartnerAddresses(config('public'), resolvingTo('10.0.0.7')).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([
      {
        variable: 'IMPORT_PARTNERS',
        message: expect.stringMatching(/^unicef: registry\.partner\.test resolves to 10\.0\.0\.7, a private address/),
      },
    ]);
  });

  it('When every name resolves to a public address, or does not resolve at all, Then the worker starts', async () => {
    await expect(checkPartnerAddresses(config('public'), resolvingTo('8.8.8.8'))).resolves.toBeUndefined();
    const unresolvable: Resolver = () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }));
    await expect(checkPartnerAddresses(config('public'), unresolvable)).resolves.toBeUndefined();
  });

  it('When the policy allows private addresses, Then a registry on the own network is accepted', async () => {
    await expect(checkPartnerAddresses(config('private'), resolvingTo('10.0.0.7'))).resolves.toBeUndefined();
  });
});
