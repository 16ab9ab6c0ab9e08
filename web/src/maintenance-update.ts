// What the live view shows from a maintenance update on `maintenance:wallet:{address}`. The publisher sends
// camelCase JSON with decimal strings; anything may be missing or of an unexpected type, so every field is
// read defensively and unknown fields are kept for display rather than dropped.

/** A token balance inside an account. */
export interface TokenBalance {
  readonly symbol: string;
  readonly amount: number | null;
  readonly price: number | null;
  readonly value: number | null;
}

/** A margin account of the cluster. */
export interface MarginAccount {
  readonly address: string;
  readonly owner: string | null;
  readonly chain: string | null;
  readonly leverageAsset: string | null;
  readonly loanPrincipal: number | null;
  readonly accruedInterest: number | null;
  readonly collateralValue: number | null;
  readonly tokens: readonly TokenBalance[];
  readonly defiPositions: readonly { name: string; protocol: string | null; value: number | null }[];
}

/** A CEX sub-account of the cluster. */
export interface CexSubAccount {
  readonly exchange: string;
  readonly subAccountId: string | null;
  readonly value: number | null;
  readonly tokens: readonly TokenBalance[];
}

/** One maintenance update, read defensively. */
export interface MaintenanceView {
  readonly riskFactor: number | null;
  readonly marginCallLevel: number | null;
  readonly liquidationLevel: number | null;
  readonly status: string | null;
  readonly marginBalance: number | null;
  readonly totalBorrowed: number | null;
  readonly currency: string;
  /** When the update was computed (its updatedAt), else when it arrived; epoch ms. */
  readonly at: number;
  readonly marginAccounts: readonly MarginAccount[];
  readonly cexSubAccounts: readonly CexSubAccount[];
  /** Other top-level scalar fields, shown as they came. */
  readonly extra: readonly [string, string][];
}

const KNOWN = new Set([
  'riskFactor',
  'marginCallLevel',
  'liquidationLevel',
  'status',
  'marginBalance',
  'totalBorrowed',
  'currency',
  'updatedAt',
  'timestamp',
  'marginAccounts',
  'cexSubAccounts',
]);

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A number from a JSON number or a decimal string; null for anything else. */
export function readNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

const readString = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null);

const list = (value: unknown): Loose[] => (Array.isArray(value) ? value.filter(isObject) : []);

function tokens(value: unknown): TokenBalance[] {
  return list(value).map((t) => ({
    symbol: readString(t.symbol) ?? readString(t.token) ?? readString(t.asset) ?? '?',
    amount: readNumber(t.amount),
    price: readNumber(t.price),
    value: readNumber(t.value),
  }));
}

function timeOf(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const at = Date.parse(value);
    return Number.isNaN(at) ? null : at;
  }
  return null;
}

/** Reads a publication's data into what the live view shows; null when it is not an object at all. */
export function readMaintenanceUpdate(data: unknown, receivedAt: number): MaintenanceView | null {
  if (!isObject(data)) return null;
  const extra: [string, string][] = [];
  for (const [name, value] of Object.entries(data)) {
    if (KNOWN.has(name)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') extra.push([name, String(value)]);
  }
  return {
    riskFactor: readNumber(data.riskFactor),
    marginCallLevel: readNumber(data.marginCallLevel),
    liquidationLevel: readNumber(data.liquidationLevel),
    status: readString(data.status),
    marginBalance: readNumber(data.marginBalance),
    totalBorrowed: readNumber(data.totalBorrowed),
    currency: readString(data.currency) ?? 'USD',
    at: timeOf(data.updatedAt) ?? timeOf(data.timestamp) ?? receivedAt,
    marginAccounts: list(data.marginAccounts).map((a) => ({
      address: readString(a.address) ?? '?',
      owner: readString(a.owner),
      chain: readString(a.chain),
      leverageAsset: readString(a.leverageAsset),
      loanPrincipal: readNumber(a.loanPrincipal),
      accruedInterest: readNumber(a.accruedInterest),
      collateralValue: readNumber(a.collateralValue),
      tokens: tokens(a.tokens),
      defiPositions: list(a.defiPositions).map((d) => ({
        name: readString(d.name) ?? readString(d.protocol) ?? 'position',
        protocol: readString(d.protocol),
        value: readNumber(d.value),
      })),
    })),
    cexSubAccounts: list(data.cexSubAccounts).map((c) => ({
      exchange: readString(c.exchange) ?? '?',
      subAccountId: readString(c.subAccountId),
      value: readNumber(c.value),
      tokens: tokens(c.tokens),
    })),
    extra,
  };
}

/** A point of the risk-factor history. */
export interface RiskPoint {
  readonly at: number;
  readonly riskFactor: number;
}

/** Appends an update's risk factor to the history (ordered by time, at most `limit` points). */
export function appendRiskPoint(history: readonly RiskPoint[], view: MaintenanceView, limit = 120): RiskPoint[] {
  if (view.riskFactor === null) return [...history];
  const next = [...history.filter((p) => p.at !== view.at), { at: view.at, riskFactor: view.riskFactor }].sort((a, b) => a.at - b.at);
  return next.slice(-limit);
}

/** Where the risk factor stands against its thresholds. */
export function riskState(view: Pick<MaintenanceView, 'riskFactor' | 'marginCallLevel' | 'liquidationLevel'>): 'healthy' | 'margin-call' | 'liquidation' | 'unknown' {
  if (view.riskFactor === null) return 'unknown';
  if (view.liquidationLevel !== null && view.riskFactor < view.liquidationLevel) return 'liquidation';
  if (view.marginCallLevel !== null && view.riskFactor <= view.marginCallLevel) return 'margin-call';
  return 'healthy';
}
