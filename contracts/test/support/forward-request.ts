import type { Contract, Wallet, HDNodeWallet } from 'ethers';

export interface ForwardRequestData {
  from: string;
  to: string;
  value: bigint;
  gas: bigint;
  deadline: number;
  data: string;
  signature: string;
}

// Must match ERC2771Forwarder's _FORWARD_REQUEST_TYPEHASH field for field.
const FORWARD_REQUEST_TYPES = {
  ForwardRequest: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'gas', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint48' },
    { name: 'data', type: 'bytes' },
  ],
};

/** Builds and EIP-712 signs a request; `from` defaults to the signer (override to test forgery). */
export async function signForwardRequest(opts: {
  forwarder: Contract;
  signer: Wallet | HDNodeWallet;
  to: string;
  data: string;
  from?: string;
  gas?: bigint;
}): Promise<ForwardRequestData> {
  const provider = opts.signer.provider;
  if (!provider) throw new Error('signer needs a provider');
  const from = opts.from ?? opts.signer.address;
  const { chainId } = await provider.getNetwork();
  const latest = await provider.getBlock('latest');
  const deadline = Number(latest?.timestamp ?? 0) + 3600;
  const message = {
    from,
    to: opts.to,
    value: 0n,
    gas: opts.gas ?? 200_000n,
    nonce: (await opts.forwarder.nonces(from)) as bigint,
    deadline,
    data: opts.data,
  };
  const domain = { name: 'RahatForwarder', version: '1', chainId, verifyingContract: await opts.forwarder.getAddress() };
  const signature = await opts.signer.signTypedData(domain, FORWARD_REQUEST_TYPES, message);
  return { from, to: message.to, value: message.value, gas: message.gas, deadline, data: message.data, signature };
}
