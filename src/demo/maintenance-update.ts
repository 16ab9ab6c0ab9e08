import { quantity, ratio, usd } from './decimal-string.ts';
import type { HoldingsValuation, TokenValuation } from './portfolio-valuation.ts';
import type { ClusterAssessment, RiskStatus } from './risk-factor.ts';

// The message published on `maintenance:wallet:{owner}`. camelCase JSON; every amount, price, value
// and ratio is a decimal string (see decimal-string.ts), timestamps are ISO 8601 UTC.

/** A balance as published. */
export interface TokenBalanceMessage {
  readonly symbol: string;
  readonly amount: string;
  readonly price: string;
  readonly value: string;
  readonly stressFactor: string;
  readonly stressedValue: string;
}

/** A DeFi position as published. */
export interface DefiPositionMessage {
  readonly protocol: string;
  readonly kind: 'liquidity' | 'lending' | 'staking';
  readonly name: string;
  readonly tokens: readonly TokenBalanceMessage[];
  readonly value: string;
  readonly stressedValue: string;
}

/** A margin account as published. */
export interface MarginAccountMessage {
  readonly address: string;
  readonly owner: string;
  readonly chain: string;
  readonly leverageAsset: string;
  readonly loanPrincipal: string;
  readonly accruedInterest: string;
  /** (loanPrincipal + accruedInterest) × leverage asset price, USD. */
  readonly borrowedValue: string;
  readonly tokens: readonly TokenBalanceMessage[];
  readonly defiPositions: readonly DefiPositionMessage[];
  readonly collateralValue: string;
  readonly stressedCollateralValue: string;
}

/** A CEX sub-account as published. */
export interface CexSubAccountMessage {
  readonly exchange: string;
  readonly subAccountId: string;
  readonly tokens: readonly TokenBalanceMessage[];
  readonly value: string;
  readonly stressedValue: string;
}

/** One maintenance update: the cluster's positions and its freshly computed risk factor. */
export interface MaintenanceUpdate {
  readonly clusterId: string;
  readonly owner: string;
  /** Currency of every `…Value`, `marginBalance` and `totalBorrowed` field. */
  readonly currency: 'USD';
  /** Four decimals; null when nothing is borrowed (unbounded). */
  readonly riskFactor: string | null;
  readonly marginCallLevel: string;
  readonly liquidationLevel: string;
  readonly status: RiskStatus;
  readonly marginBalance: string;
  readonly totalBorrowed: string;
  readonly collateralValue: string;
  readonly stressedCollateralValue: string;
  readonly marginAccounts: readonly MarginAccountMessage[];
  readonly cexSubAccounts: readonly CexSubAccountMessage[];
  readonly updatedAt: string;
}

function tokenMessage(token: TokenValuation): TokenBalanceMessage {
  return {
    symbol: token.symbol,
    amount: quantity(token.amount),
    price: quantity(token.price),
    value: usd(token.value),
    stressFactor: ratio(token.stressFactor),
    stressedValue: usd(token.stressedValue),
  };
}

function holdingsMessage(holdings: HoldingsValuation): { tokens: TokenBalanceMessage[]; value: string; stressedValue: string } {
  return { tokens: holdings.tokens.map(tokenMessage), value: usd(holdings.value), stressedValue: usd(holdings.stressedValue) };
}

/** Renders an assessment as the wire message. */
export function maintenanceUpdate(assessment: ClusterAssessment): MaintenanceUpdate {
  return {
    clusterId: assessment.cluster.id,
    owner: assessment.cluster.owner,
    currency: 'USD',
    riskFactor: assessment.riskFactor === null ? null : ratio(assessment.riskFactor),
    marginCallLevel: ratio(assessment.marginCallLevel),
    liquidationLevel: ratio(assessment.liquidationLevel),
    status: assessment.status,
    marginBalance: usd(assessment.marginBalance),
    totalBorrowed: usd(assessment.totalBorrowed),
    collateralValue: usd(assessment.collateralValue),
    stressedCollateralValue: usd(assessment.stressedCollateralValue),
    marginAccounts: assessment.marginAccounts.map((a) => ({
      address: a.account.address,
      owner: a.account.owner,
      chain: a.account.chain,
      leverageAsset: a.loan.asset,
      loanPrincipal: quantity(a.loan.principal),
      accruedInterest: quantity(a.loan.accruedInterest),
      borrowedValue: usd(a.loan.value),
      tokens: a.holdings.tokens.map(tokenMessage),
      defiPositions: a.defiPositions.map((d) => ({
        protocol: d.position.protocol,
        kind: d.position.kind,
        name: d.position.name,
        ...holdingsMessage(d.holdings),
      })),
      collateralValue: usd(a.collateralValue),
      stressedCollateralValue: usd(a.stressedCollateralValue),
    })),
    cexSubAccounts: assessment.cexSubAccounts.map((c) => ({
      exchange: c.subAccount.exchange,
      subAccountId: c.subAccount.subAccountId,
      ...holdingsMessage(c.holdings),
    })),
    updatedAt: new Date(assessment.at).toISOString(),
  };
}
