import { keccak256, stringToBytes } from 'viem';
import { checksumAddress } from '../core/wallet-address.ts';
import type { MarginCluster, TokenAmount } from './margin-cluster.ts';

/** Margin-call level of the demo clusters: the level in Arkis' own margin-call example. */
export const DEMO_MARGIN_CALL_LEVEL = 1.15;

/** Annual rate the demo loans accrue interest at. */
export const DEMO_LOAN_RATE = 0.08;

function digest(owner: string, purpose: string): string {
  return keccak256(stringToBytes(`keygate-demo/${owner.toLowerCase()}/${purpose}`)).slice(2);
}

function derivedAddress(owner: string, purpose: string): string {
  return checksumAddress('0x' + digest(owner, purpose).slice(-40));
}

function scaled(scale: number, tokens: readonly TokenAmount[]): TokenAmount[] {
  // Four decimals keep scaled balances readable ("82.2353", not "82.23529412").
  return tokens.map((t) => ({ symbol: t.symbol, amount: Math.round(t.amount * scale * 10_000) / 10_000 }));
}

/**
 * The demo margin cluster of `owner`: two margin accounts (Ethereum, Arbitrum) borrowing USDC, a
 * Uniswap liquidity position and an Aave deposit, plus Binance and OKX sub-accounts. Addresses, ids
 * and size are derived from the wallet, so the same wallet always gets the same cluster; at the
 * demo start prices its risk factor sits near 1.22, a few percent above the margin-call level.
 */
export function demoClusterFor(ownerAddress: string, openedAt: number): MarginCluster {
  const owner = checksumAddress(ownerAddress);
  // Size between 0.5× and 2× of the template, from the wallet's hash.
  const scale = 0.5 + (parseInt(digest(owner, 'size').slice(0, 2), 16) / 255) * 1.5;
  const loan = (principal: number) => ({ asset: 'USDC', principal: Math.round(principal * scale), annualRate: DEMO_LOAN_RATE, openedAt });
  return {
    id: `mc_${digest(owner, 'cluster').slice(0, 16)}`,
    owner,
    marginCallLevel: DEMO_MARGIN_CALL_LEVEL,
    marginAccounts: [
      {
        address: derivedAddress(owner, 'margin-account/0'),
        owner,
        chain: 'ethereum',
        loan: loan(335_000),
        tokens: scaled(scale, [
          { symbol: 'ETH', amount: 60 },
          { symbol: 'USDC', amount: 25_000 },
        ]),
        defiPositions: [
          { protocol: 'uniswap-v3', kind: 'liquidity', name: 'ETH/USDC 0.05%', tokens: scaled(scale, [{ symbol: 'ETH', amount: 20 }, { symbol: 'USDC', amount: 70_000 }]) },
          { protocol: 'aave-v3', kind: 'lending', name: 'WBTC supply', tokens: scaled(scale, [{ symbol: 'WBTC', amount: 1.5 }]) },
        ],
      },
      {
        address: derivedAddress(owner, 'margin-account/1'),
        owner,
        chain: 'arbitrum',
        loan: loan(140_000),
        tokens: scaled(scale, [
          { symbol: 'ETH', amount: 15 },
          { symbol: 'WBTC', amount: 0.8 },
        ]),
        defiPositions: [],
      },
    ],
    cexSubAccounts: [
      { exchange: 'binance', subAccountId: `arkis-dma-${digest(owner, 'binance').slice(0, 8)}`, tokens: scaled(scale, [{ symbol: 'USDT', amount: 60_000 }, { symbol: 'SOL', amount: 400 }]) },
      { exchange: 'okx', subAccountId: `arkis-dma-${digest(owner, 'okx').slice(0, 8)}`, tokens: scaled(scale, [{ symbol: 'USDT', amount: 20_000 }, { symbol: 'ETH', amount: 5 }]) },
    ],
  };
}
