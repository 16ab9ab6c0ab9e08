import type { Page } from 'playwright-core';
import type { Hex } from 'viem';
import type { PrivateKeyAccount } from 'viem/accounts';

/**
 * Gives a page an EIP-1193 `window.ethereum` backed by a real viem account: the page asks, Node signs with the
 * private key (personal_sign over the exact bytes the page sends), like a browser wallet would.
 */
export async function injectWallet(page: Page, account: PrivateKeyAccount, chainId = 1): Promise<void> {
  await page.exposeFunction('__keygateTestWalletSign', async (data: string) =>
    account.signMessage({ message: /^0x[0-9a-fA-F]*$/.test(data) ? { raw: data as Hex } : data }),
  );
  // A string, not a function: tsx would wrap inner functions in helpers that do not exist in the page.
  await page.addInitScript(`
    (() => {
      const address = ${JSON.stringify(account.address)};
      const chainId = ${JSON.stringify('0x' + chainId.toString(16))};
      const fail = (code, message) => Object.assign(new Error(message), { code });
      window.ethereum = {
        isKeygateTestWallet: true,
        async request({ method, params }) {
          switch (method) {
            case 'eth_requestAccounts':
            case 'eth_accounts':
              return [address];
            case 'eth_chainId':
              return chainId;
            case 'personal_sign': {
              const [data, from] = params || [];
              if (typeof from !== 'string' || from.toLowerCase() !== address.toLowerCase()) throw fail(4100, 'the wallet does not hold that account');
              return window.__keygateTestWalletSign(data);
            }
            default:
              throw fail(4200, 'unsupported method ' + method);
          }
        },
      };
    })();
  `);
}
