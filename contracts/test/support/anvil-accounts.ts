import { HDNodeWallet, type Provider } from 'ethers';

// anvil's default mnemonic: its first accounts are pre-funded with ETH.
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk';

export function anvilWallet(index: number, provider: Provider): HDNodeWallet {
  return HDNodeWallet.fromPhrase(ANVIL_MNEMONIC, undefined, `m/44'/60'/0'/0/${index}`).connect(provider);
}
