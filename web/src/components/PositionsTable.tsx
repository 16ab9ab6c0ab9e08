import type { MaintenanceView, TokenBalance } from '../maintenance-update.ts';

const money = (value: number | null, currency: string) =>
  value === null ? '—' : value.toLocaleString('en-US', { style: 'currency', currency: /^[A-Z]{3}$/.test(currency) ? currency : 'USD', maximumFractionDigits: 2 });
// Whole units get four decimals at most ("1,457.2763 USDC", not "1,457.27630883"); small amounts keep six
// significant digits, so 0.00012345 BTC stays readable.
const amount = (value: number | null) =>
  value === null ? '—' : value.toLocaleString('en-US', Math.abs(value) >= 1 ? { maximumFractionDigits: 4 } : { maximumSignificantDigits: 6 });
const short = (address: string) => (address.length > 14 ? `${address.slice(0, 6)}…${address.slice(-4)}` : address);

function Tokens(props: { tokens: readonly TokenBalance[] }) {
  if (props.tokens.length === 0) return <span className="muted">—</span>;
  return (
    <span className="chips">
      {props.tokens.map((t, i) => (
        <span key={`${t.symbol}-${i}`} className="chip" title={t.price === null ? undefined : `price ${amount(t.price)}`}>
          {amount(t.amount)} {t.symbol}
        </span>
      ))}
    </span>
  );
}

/** The cluster's positions: margin accounts (loans, tokens, DeFi) and CEX sub-accounts. */
export function PositionsTable(props: { view: MaintenanceView }) {
  const { view } = props;
  return (
    <div className="positions">
      <h3>Margin accounts</h3>
      {view.marginAccounts.length === 0 ? (
        <p className="muted">None in this update.</p>
      ) : (
        <div className="table-wrap">
          <table className="key-table">
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Loan</th>
                <th scope="col">Accrued interest</th>
                <th scope="col">Tokens</th>
                <th scope="col">DeFi positions</th>
                <th scope="col">Collateral</th>
              </tr>
            </thead>
            <tbody>
              {view.marginAccounts.map((a, i) => (
                <tr key={`${a.address}-${i}`}>
                  <td data-label="Account" className="figure">
                    {/* One element, so the phone layout's label/value row keeps address and chain together. */}
                    <span>
                      <code title={a.address}>{short(a.address)}</code>
                      {a.chain && <span className="muted"> · {a.chain}</span>}
                    </span>
                  </td>
                  <td data-label="Loan" className="figure">
                    {amount(a.loanPrincipal)} {a.leverageAsset ?? ''}
                  </td>
                  <td data-label="Accrued interest" className="figure">
                    {amount(a.accruedInterest)} {a.leverageAsset ?? ''}
                  </td>
                  <td data-label="Tokens">
                    <Tokens tokens={a.tokens} />
                  </td>
                  <td data-label="DeFi positions">
                    {a.defiPositions.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      <span className="chips">
                        {a.defiPositions.map((d, j) => (
                          <span key={j} className="chip">
                            {d.name} {d.value !== null ? `· ${money(d.value, view.currency)}` : ''}
                          </span>
                        ))}
                      </span>
                    )}
                  </td>
                  <td data-label="Collateral" className="figure">{money(a.collateralValue, view.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>CEX sub-accounts</h3>
      {view.cexSubAccounts.length === 0 ? (
        <p className="muted">None in this update.</p>
      ) : (
        <div className="table-wrap">
          <table className="key-table">
            <thead>
              <tr>
                <th scope="col">Exchange</th>
                <th scope="col">Sub-account</th>
                <th scope="col">Tokens</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {view.cexSubAccounts.map((c, i) => (
                <tr key={`${c.exchange}-${i}`}>
                  <td data-label="Exchange">{c.exchange}</td>
                  <td data-label="Sub-account">{c.subAccountId ?? '—'}</td>
                  <td data-label="Tokens">
                    <Tokens tokens={c.tokens} />
                  </td>
                  <td data-label="Value" className="figure">{money(c.value, view.currency)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
