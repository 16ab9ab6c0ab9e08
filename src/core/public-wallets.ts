import { isLoopbackAddress } from './loopback-address.ts';

/**
 * Wallets whose private keys are public: the first ten accounts of the mnemonic Hardhat and Anvil
 * start every development chain with ("test test … junk"). The demo's admin and member hold the first
 * two, so that a dev wallet can sign in at once; anyone anywhere can sign as them.
 */
const DEVELOPMENT_ACCOUNTS = [
  '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
  '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
  '0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc',
  '0x976EA74026E726554dB657fA54763abd0C3a0aa9',
  '0x14dC79964da2C08b23698B3D3cc7Ca32193d9955',
  '0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f',
  '0xa0Ee7A142d267C1f36714E4a8F75612F20a79720',
] as const;
const PUBLIC_KEY_WALLETS = new Set<string>(DEVELOPMENT_ACCOUNTS.map((address) => address.toLowerCase()));

/** The development accounts' addresses (EIP-55), in account order. */
export function publicKeyWallets(): readonly string[] {
  return DEVELOPMENT_ACCOUNTS;
}

/** True for a wallet whose private key is public (any case of its address). */
export function isPublicKeyWallet(address: string): boolean {
  return PUBLIC_KEY_WALLETS.has(address.toLowerCase());
}

/** Why a wallet may not act from `ip` (a message for the refusal), or null when it may: a public-key wallet acts only from this machine. */
export function publicWalletRefusal(address: string, ip: string | null, action: string): string | null {
  if (!isPublicKeyWallet(address) || isLoopbackAddress(ip)) return null;
  return `wallet ${address} is a development account whose private key is public (one of Hardhat's and Anvil's default accounts, which the demo uses): it may ${action} only from this machine (a loopback address)`;
}
