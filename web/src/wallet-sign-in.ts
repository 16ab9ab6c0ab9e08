import { getAddress, stringToHex } from 'viem';
import { createSiweMessage } from 'viem/siwe';
import type { ApiClient, ConsoleSession } from './api-client.ts';

/** The part of an EIP-1193 provider (window.ethereum) the console uses. */
export interface Eip1193Provider {
  request(args: { method: string; params?: unknown[] }): Promise<unknown>;
}

/** The browser wallet, if one is installed. */
export function browserWallet(): Eip1193Provider | null {
  const candidate = (window as unknown as { ethereum?: Eip1193Provider }).ethereum;
  return candidate && typeof candidate.request === 'function' ? candidate : null;
}

/** How long the wallet has to sign before the message itself expires. */
const MESSAGE_LIFETIME_MS = 5 * 60_000;

/**
 * Sign-In with Ethereum: asks the wallet for its account, builds an EIP-4361 message around a server nonce
 * for this exact host, has the wallet sign it (personal_sign) and trades the signature for a session.
 */
export async function signInWithWallet(wallet: Eip1193Provider, api: ApiClient): Promise<ConsoleSession> {
  const accounts = (await wallet.request({ method: 'eth_requestAccounts' })) as string[];
  if (!Array.isArray(accounts) || accounts.length === 0) throw new Error('the wallet shared no account');
  const address = getAddress(accounts[0]);
  const chainHex = (await wallet.request({ method: 'eth_chainId' })) as string;
  const chainId = Number.parseInt(chainHex, 16) || 1;
  const { nonce } = await api.siweNonce();
  const issuedAt = new Date();
  const message = createSiweMessage({
    domain: window.location.host,
    address,
    statement: 'Sign in to the Keygate console to manage your API keys.',
    uri: window.location.origin,
    version: '1',
    chainId,
    nonce,
    issuedAt,
    expirationTime: new Date(issuedAt.getTime() + MESSAGE_LIFETIME_MS),
  });
  const signature = (await wallet.request({ method: 'personal_sign', params: [stringToHex(message), address] })) as string;
  return api.signInWithSiwe(message, signature);
}
