import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ConsoleSession } from '../api-client.ts';
import { maintenanceChannel, openLiveSubscription, realtimeEndpoint, type LiveState, type LiveSubscription } from '../live-subscription.ts';
import { appendRiskPoint, readMaintenanceUpdate, type MaintenanceView, type RiskPoint } from '../maintenance-update.ts';
import { MaintenancePanel } from './MaintenancePanel.tsx';

const STATE_TEXT: Record<LiveState, string> = {
  connecting: 'Connecting…',
  subscribed: 'Live',
  disconnected: 'Not connected',
  failed: 'Refused',
};

/**
 * Subscribes, as any client would, with the official Centrifuge client and an API key to
 * `maintenance:wallet:{checksummed address}` for one of the user's wallets, and shows the latest update.
 */
export function LiveView(props: { session: ConsoleSession; offeredKey: { name: string; secret: string } | null }) {
  const wallets = props.session.user.wallets;
  const [wallet, setWallet] = useState(wallets[0] ?? '');
  const [keySource, setKeySource] = useState<'offered' | 'pasted'>(props.offeredKey ? 'offered' : 'pasted');
  const [pasted, setPasted] = useState('');
  const [state, setState] = useState<LiveState>('disconnected');
  const [detail, setDetail] = useState('');
  const [latest, setLatest] = useState<MaintenanceView | null>(null);
  const [history, setHistory] = useState<RiskPoint[]>([]);
  const subscription = useRef<LiveSubscription | null>(null);

  useEffect(() => () => subscription.current?.close(), []);

  const connect = (event: FormEvent) => {
    event.preventDefault();
    subscription.current?.close();
    const apiKey = keySource === 'offered' && props.offeredKey ? props.offeredKey.secret : pasted.trim();
    if (!apiKey || !wallet) return;
    setLatest(null);
    setHistory([]);
    subscription.current = openLiveSubscription({
      endpoint: realtimeEndpoint(window.location),
      apiKey,
      channel: maintenanceChannel(wallet),
      handlers: {
        onState: (next, why) => {
          setState(next);
          setDetail(why);
        },
        onData: (data, receivedAt) => {
          const view = readMaintenanceUpdate(data, receivedAt);
          if (!view) return;
          setLatest((current) => (current && current.at > view.at ? current : view));
          setHistory((points) => appendRiskPoint(points, view));
        },
      },
    });
  };

  const disconnect = () => {
    subscription.current?.close();
    subscription.current = null;
  };

  if (wallets.length === 0) {
    return (
      <section className="page" aria-labelledby="live-title">
        <h1 id="live-title">Live view</h1>
        <p className="muted">Your user owns no wallet, so there is no margin account to watch. Ask an organization admin to link your wallet.</p>
      </section>
    );
  }

  return (
    <section className="page" aria-labelledby="live-title">
      <div className="page-head">
        <div>
          <h1 id="live-title">Live view</h1>
          <p className="muted">Real-time maintenance updates for your margin account, over the same WebSocket API your code uses.</p>
        </div>
        <span className={`live-state state-${state}`} role="status" title={detail}>
          <span className="dot" aria-hidden="true" />
          {STATE_TEXT[state]}
        </span>
      </div>

      <form className="live-form" onSubmit={connect}>
        <div className="field">
          <label htmlFor="live-wallet">Wallet</label>
          <select id="live-wallet" value={wallet} onChange={(e) => setWallet(e.target.value)}>
            {wallets.map((w) => (
              <option key={w} value={w}>
                {w}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="field">
          <legend>API key to connect with</legend>
          {props.offeredKey && (
            <label className="check">
              <input type="radio" name="key-source" checked={keySource === 'offered'} onChange={() => setKeySource('offered')} />
              <span>The key you just created: {props.offeredKey.name}</span>
            </label>
          )}
          <label className="check">
            <input type="radio" name="key-source" checked={keySource === 'pasted'} onChange={() => setKeySource('pasted')} />
            <span>Paste a key</span>
          </label>
          {keySource === 'pasted' && (
            <>
              <label htmlFor="live-key" className="visually-hidden">
                API key
              </label>
              <input id="live-key" type="password" autoComplete="off" spellCheck={false} placeholder="dsk_…" value={pasted} onChange={(e) => setPasted(e.target.value)} />
              <p className="hint">The key stays in this page's memory only. Secrets are shown once, so paste one you stored.</p>
            </>
          )}
        </fieldset>
        <div className="live-actions">
          <button type="submit" className="primary" disabled={keySource === 'pasted' && pasted.trim() === ''}>
            {state === 'disconnected' ? 'Connect' : 'Reconnect'}
          </button>
          {state !== 'disconnected' && (
            <button type="button" className="secondary" onClick={disconnect}>
              Disconnect
            </button>
          )}
          <code className="channel">{wallet ? maintenanceChannel(wallet) : ''}</code>
        </div>
        {state === 'failed' && (
          <p className="form-error" role="alert">
            The server refused the connection: {detail}
          </p>
        )}
      </form>

      {latest ? (
        <MaintenancePanel view={latest} history={history} />
      ) : (
        state === 'subscribed' && <p className="muted">Subscribed. Waiting for the next maintenance update…</p>
      )}
    </section>
  );
}
