import type { Logger } from 'pino';
import type { Broker, StreamOptions, StreamPosition } from '../bus/broker.ts';
import type { Clock } from '../core/clock.ts';
import type { IdSource } from '../core/ids.ts';
import type { Metrics } from '../core/metrics.ts';
import type { Verifier } from '../verify/verifier.ts';
import type { ChannelSettings } from './channel-rules.ts';
import type { ConnectionSlots } from './connection-slots.ts';
import type { ConnectionTokens } from './connection-token.ts';
import type { Hub } from './hub.ts';
import type { KeyWatch } from './key-watch.ts';

/** Real-time settings derived from configuration once. */
export interface RealtimeSettings {
  readonly pingIntervalMs: number;
  /** A session must send connect within this long after the handshake. */
  readonly connectTimeoutMs: number;
  /** Sockets this node holds that have not authenticated yet: per client address, and in total. */
  readonly maxPendingPerAddress: number;
  readonly maxPending: number;
  /** Subscriptions one Centrifuge connection may hold (106 beyond). */
  readonly maxSubscriptionsPerConnection: number;
  /** Commands one Centrifuge frame may carry: a connect with every subscription of a full connection, and some. */
  readonly maxCommandsPerFrame: number;
  /** Most publications one client history call returns (never more than the history keeps). */
  readonly historyLimit: number;
  readonly stream: StreamOptions;
  readonly channels: ChannelSettings;
  /** Recovery is offered only when history keeps publications. */
  readonly recoverable: boolean;
  readonly version: string;
}

/** What every session of this node shares. */
export interface RealtimeContext {
  readonly nodeId: string;
  readonly hub: Hub;
  readonly slots: ConnectionSlots;
  readonly keyWatch: KeyWatch;
  readonly broker: Broker;
  readonly verifier: Verifier;
  readonly tokens: ConnectionTokens;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'sessionEnded'>;
  readonly settings: RealtimeSettings;
  /** Publishes into a channel's stream and to every node's subscribers. */
  publish(channel: string, data: unknown): Promise<StreamPosition>;
}
