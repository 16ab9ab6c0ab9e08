import { ErrorCode, KeygateError } from '../core/errors.ts';
import type { Loan, TokenAmount } from './margin-cluster.ts';

/** USD price per token unit, by symbol. */
export type PriceTable = Readonly<Record<string, number>>;
/**
 * Stress-tested value fraction per symbol: the share of market value the Margin Engine trusts in a
 * stress scenario (Arkis' example: WETH at 0.65). 1 − factor is the haircut.
 */
export type StressFactors = Readonly<Record<string, number>>;

export const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/** One balance with its market and stress-tested USD value. */
export interface TokenValuation extends TokenAmount {
  readonly price: number;
  readonly value: number;
  readonly stressFactor: number;
  readonly stressedValue: number;
}

/** A set of balances valued together. */
export interface HoldingsValuation {
  readonly tokens: readonly TokenValuation[];
  readonly value: number;
  readonly stressedValue: number;
}

/** A loan's debt at a given instant, in token units and in USD. */
export interface LoanValuation {
  readonly asset: string;
  readonly principal: number;
  readonly accruedInterest: number;
  readonly price: number;
  /** (principal + accrued interest) × price. */
  readonly value: number;
}

function lookup(table: Readonly<Record<string, number>>, symbol: string, what: string): number {
  const found = table[symbol];
  if (found === undefined || !Number.isFinite(found)) throw new KeygateError(ErrorCode.INTERNAL, `no ${what} for ${symbol}`);
  return found;
}

/** Values balances at `prices`, discounting each by its stress factor. */
export function valueHoldings(tokens: readonly TokenAmount[], prices: PriceTable, stress: StressFactors): HoldingsValuation {
  const valued = tokens.map((token): TokenValuation => {
    const price = lookup(prices, token.symbol, 'price');
    const stressFactor = lookup(stress, token.symbol, 'stress factor');
    const value = token.amount * price;
    return { symbol: token.symbol, amount: token.amount, price, value, stressFactor, stressedValue: value * stressFactor };
  });
  return {
    tokens: valued,
    value: valued.reduce((sum, t) => sum + t.value, 0),
    stressedValue: valued.reduce((sum, t) => sum + t.stressedValue, 0),
  };
}

/** Adds several valuations (e.g. wallet tokens and DeFi positions of one account). */
export function sumValuations(parts: readonly Pick<HoldingsValuation, 'value' | 'stressedValue'>[]): { value: number; stressedValue: number } {
  return {
    value: parts.reduce((sum, p) => sum + p.value, 0),
    stressedValue: parts.reduce((sum, p) => sum + p.stressedValue, 0),
  };
}

/** Simple interest on the principal from the loan's opening to `now` (never negative). */
export function accruedInterest(loan: Loan, now: number): number {
  return (loan.principal * loan.annualRate * Math.max(0, now - loan.openedAt)) / YEAR_MS;
}

/** The debt of a loan at `now`, valued at `prices`. */
export function valueLoan(loan: Loan, prices: PriceTable, now: number): LoanValuation {
  const price = lookup(prices, loan.asset, 'price');
  const interest = accruedInterest(loan, now);
  return { asset: loan.asset, principal: loan.principal, accruedInterest: interest, price, value: (loan.principal + interest) * price };
}
