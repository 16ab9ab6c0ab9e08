// The shape of an Arkis-style margin cluster: the margin accounts one owner wallet opened, the CEX
// sub-accounts margined with them, and the levels the Margin Engine compares the risk factor with.
// Quantities are plain numbers in token units; prices and values come from elsewhere.

/** A balance of one asset, in token units (not USD). */
export interface TokenAmount {
  readonly symbol: string;
  readonly amount: number;
}

/** Funds a margin account deployed into a whitelisted DeFi protocol, valued through its underlying tokens. */
export interface DefiPosition {
  readonly protocol: string;
  readonly kind: 'liquidity' | 'lending' | 'staking';
  readonly name: string;
  readonly tokens: readonly TokenAmount[];
}

/** The loan a margin account carries, in units of its leverage asset. */
export interface Loan {
  readonly asset: string;
  readonly principal: number;
  /** Simple annual interest rate, e.g. 0.08 for 8 %. */
  readonly annualRate: number;
  /** When the loan was drawn (epoch ms); interest accrues from here. */
  readonly openedAt: number;
}

/** One on-chain margin account: a smart contract holding collateral and borrowed funds. */
export interface MarginAccount {
  readonly address: string;
  readonly owner: string;
  readonly chain: string;
  readonly loan: Loan;
  readonly tokens: readonly TokenAmount[];
  readonly defiPositions: readonly DefiPosition[];
}

/** A sub-account at a centralised exchange, margined together with the on-chain accounts. */
export interface CexSubAccount {
  readonly exchange: string;
  readonly subAccountId: string;
  readonly tokens: readonly TokenAmount[];
}

/** Everything the Margin Engine assesses as one risk unit for one owner wallet. */
export interface MarginCluster {
  readonly id: string;
  /** EIP-55 checksummed wallet that opened the margin accounts. */
  readonly owner: string;
  /** At or below this risk factor a margin call is due (Arkis' example uses 1.15). */
  readonly marginCallLevel: number;
  readonly marginAccounts: readonly MarginAccount[];
  readonly cexSubAccounts: readonly CexSubAccount[];
}
