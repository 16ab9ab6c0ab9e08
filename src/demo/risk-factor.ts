import { roundRatio } from './decimal-string.ts';
import type { CexSubAccount, DefiPosition, MarginAccount, MarginCluster } from './margin-cluster.ts';
import {
  sumValuations,
  valueHoldings,
  valueLoan,
  type HoldingsValuation,
  type LoanValuation,
  type PriceTable,
  type StressFactors,
} from './portfolio-valuation.ts';

/** Where a cluster stands against its levels. */
export type RiskStatus = 'healthy' | 'margin_call' | 'liquidation';

/** Below this risk factor stress-tested collateral no longer covers the debt: liquidation. */
export const LIQUIDATION_LEVEL = 1;

/** How often the Margin Engine recomputes every risk factor (Arkis: every 30 seconds). */
export const RISK_RECOMPUTE_INTERVAL_MS = 30_000;

/**
 * Risk factor = stress-tested collateral value ÷ total borrowed value.
 * Null when nothing is borrowed: the ratio is unbounded and JSON has no Infinity.
 */
export function riskFactor(stressedCollateralValue: number, totalBorrowed: number): number | null {
  return totalBorrowed > 0 ? stressedCollateralValue / totalBorrowed : null;
}

/**
 * Healthy above the margin-call level, margin call at or below it, liquidation strictly below the
 * liquidation level. Decided on the risk factor as published (four decimals) so readers can check it.
 */
export function riskStatus(factor: number | null, marginCallLevel: number, liquidationLevel = LIQUIDATION_LEVEL): RiskStatus {
  if (factor === null) return 'healthy';
  const published = roundRatio(factor);
  if (published < liquidationLevel) return 'liquidation';
  if (published <= marginCallLevel) return 'margin_call';
  return 'healthy';
}

/** A DeFi position with the value of its underlying tokens. */
export interface DefiPositionAssessment {
  readonly position: DefiPosition;
  readonly holdings: HoldingsValuation;
}

/** One margin account's collateral and debt. */
export interface MarginAccountAssessment {
  readonly account: MarginAccount;
  readonly loan: LoanValuation;
  readonly holdings: HoldingsValuation;
  readonly defiPositions: readonly DefiPositionAssessment[];
  readonly collateralValue: number;
  readonly stressedCollateralValue: number;
}

/** One CEX sub-account's balances. */
export interface CexSubAccountAssessment {
  readonly subAccount: CexSubAccount;
  readonly holdings: HoldingsValuation;
}

/** The whole cluster, valued and compared with its levels at one instant. */
export interface ClusterAssessment {
  readonly cluster: MarginCluster;
  readonly at: number;
  readonly marginAccounts: readonly MarginAccountAssessment[];
  readonly cexSubAccounts: readonly CexSubAccountAssessment[];
  readonly collateralValue: number;
  readonly stressedCollateralValue: number;
  readonly totalBorrowed: number;
  /** Collateral market value minus debt: what the owner would keep if everything were closed now. */
  readonly marginBalance: number;
  readonly riskFactor: number | null;
  readonly marginCallLevel: number;
  readonly liquidationLevel: number;
  readonly status: RiskStatus;
}

function assessAccount(account: MarginAccount, prices: PriceTable, stress: StressFactors, now: number): MarginAccountAssessment {
  const holdings = valueHoldings(account.tokens, prices, stress);
  const defiPositions = account.defiPositions.map((position) => ({ position, holdings: valueHoldings(position.tokens, prices, stress) }));
  const total = sumValuations([holdings, ...defiPositions.map((d) => d.holdings)]);
  return {
    account,
    loan: valueLoan(account.loan, prices, now),
    holdings,
    defiPositions,
    collateralValue: total.value,
    stressedCollateralValue: total.stressedValue,
  };
}

/**
 * Values every balance of the cluster (wallet tokens, DeFi positions, CEX sub-accounts — borrowed
 * funds held in an account are collateral too) and derives its risk factor and status at `now`.
 */
export function assessCluster(cluster: MarginCluster, prices: PriceTable, stress: StressFactors, now: number): ClusterAssessment {
  const marginAccounts = cluster.marginAccounts.map((account) => assessAccount(account, prices, stress, now));
  const cexSubAccounts = cluster.cexSubAccounts.map((subAccount) => ({ subAccount, holdings: valueHoldings(subAccount.tokens, prices, stress) }));
  const collateral = sumValuations([
    ...marginAccounts.map((a) => ({ value: a.collateralValue, stressedValue: a.stressedCollateralValue })),
    ...cexSubAccounts.map((c) => c.holdings),
  ]);
  const totalBorrowed = marginAccounts.reduce((sum, a) => sum + a.loan.value, 0);
  const factor = riskFactor(collateral.stressedValue, totalBorrowed);
  return {
    cluster,
    at: now,
    marginAccounts,
    cexSubAccounts,
    collateralValue: collateral.value,
    stressedCollateralValue: collateral.stressedValue,
    totalBorrowed,
    marginBalance: collateral.value - totalBorrowed,
    riskFactor: factor,
    marginCallLevel: cluster.marginCallLevel,
    liquidationLevel: LIQUIDATION_LEVEL,
    status: riskStatus(factor, cluster.marginCallLevel, LIQUIDATION_LEVEL),
  };
}
