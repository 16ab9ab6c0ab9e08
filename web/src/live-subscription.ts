import { Centrifuge } from 'centrifuge';
import { getAddress } from 'viem';

/** Where the connection stands, for the live view's status line. */
export type LiveState = 'connecting' | 'subscribed' | 'disconnected' | 'failed';

export interface LiveHandlers {
  onState(state: LiveState, detail: string): void;
  onData(data: unknown, receivedAt: number): void;
}

/** An open live subscription; close() disconnects. */
export interface LiveSubscription {
  close(): void;
}

/** The Centrifuge WebSocket endpoint of the Keygate serving this page. */
export function realtimeEndpoint(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/connection/websocket`;
}

/** The spec 000 channel of a wallet: `maintenance:wallet:{checksummed address}`. */
export function maintenanceChannel(address: string): string {
  return `maintenance:wallet:${getAddress(address)}`;
}

/**
 * Connects the official Centrifuge client with an API key as its token and subscribes to one channel. The
 * channel's recent history (when the server keeps it) seeds the chart, then every publication follows.
 */
export function openLiveSubscription(options: { endpoint: string; apiKey: string; channel: string; handlers: LiveHandlers }): LiveSubscription {
  const { handlers } = options;
  const client = new Centrifuge(options.endpoint, { token: options.apiKey });
  client.on('connecting', (ctx) => handlers.onState('connecting', ctx.reason));
  client.on('disconnected', (ctx) => handlers.onState('failed', `${ctx.reason} (code ${ctx.code})`));
  client.on('error', (ctx) => handlers.onState('connecting', ctx.error.message));
  const sub = client.newSubscription(options.channel);
  sub.on('subscribing', (ctx) => handlers.onState('connecting', ctx.reason));
  sub.on('subscribed', () => {
    handlers.onState('subscribed', options.channel);
    // The newest 60 kept publications, replayed oldest first so the chart reads left to right.
    sub
      .history({ limit: 60, reverse: true })
      .then((history) => [...history.publications].reverse().forEach((p) => handlers.onData(p.data, Date.now())))
      .catch(() => undefined); // history is optional: live updates still arrive
  });
  sub.on('unsubscribed', (ctx) => handlers.onState('failed', `${ctx.reason} (code ${ctx.code})`));
  sub.on('error', (ctx) => handlers.onState('connecting', ctx.error.message));
  sub.on('publication', (ctx) => handlers.onData(ctx.data, Date.now()));
  sub.subscribe();
  client.connect();
  return {
    close() {
      sub.removeAllListeners();
      client.removeAllListeners();
      client.disconnect();
      handlers.onState('disconnected', 'disconnected');
    },
  };
}
