import type { PrivateKeyAccount } from 'viem/accounts';
import { createSiweMessage } from 'viem/siwe';
import type { TestNode } from './harness.ts';

/** What a console sign-in hands back: the session cookie header and the CSRF token. */
export interface ConsoleSession {
  readonly status: number;
  readonly body: any;
  readonly cookie: string | null;
}

/** The `name=value` of the session cookie a response sets, or null. */
export function sessionCookieOf(headers: Headers): string | null {
  const set = headers.getSetCookie().find((c) => c.startsWith('keygate_session='));
  return set ? set.split(';')[0] : null;
}

/** An EIP-4361 message for `node` with a fresh server nonce; `overrides` bend it for refusal tests. */
export async function siweMessage(node: TestNode, address: `0x${string}`, overrides: Partial<Parameters<typeof createSiweMessage>[0]> = {}): Promise<string> {
  const issued = await node.request('POST', '/v1/console/siwe/nonce');
  if (issued.status !== 200) throw new Error(`nonce request failed: ${issued.status}`);
  const url = new URL(node.url);
  return createSiweMessage({
    domain: url.host,
    address,
    statement: 'Sign in to the Keygate console.',
    uri: node.url,
    version: '1',
    chainId: 1,
    nonce: issued.body.nonce,
    issuedAt: new Date(),
    ...overrides,
  });
}

/** Signs in to the console with a wallet account, the way the browser does. */
export async function signInWithWallet(node: TestNode, account: PrivateKeyAccount): Promise<ConsoleSession> {
  const message = await siweMessage(node, account.address);
  const signature = await account.signMessage({ message });
  const response = await node.request('POST', '/v1/console/siwe', { body: { message, signature } });
  return { status: response.status, body: response.body, cookie: sessionCookieOf(response.headers) };
}
