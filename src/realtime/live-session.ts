import type { ApiKey } from '../core/api-key.ts';
import type { EndReason } from '../core/codes.ts';
import type { PreparedFrame } from './prepared-frame.ts';
import type { PublicationBatch } from './publication-batch.ts';

/** A session authenticated by an API key, on either protocol; the hub, key watch and slots see only this. */
export interface LiveSession {
  /** Unique across nodes: the connection-slot holder and the Centrifuge client id. */
  readonly id: string;
  readonly protocol: 'centrifuge' | 'feed';
  /** The key as last checked. */
  readonly key: ApiKey;
  /** Client address, for the key's IP allowlist. */
  readonly ip: string | undefined;
  /** True once the session ended (its clean-up has run). */
  readonly closed: boolean;
  /** Permission the session relies on right now (e.g. `read` for a wallet subscription), if any. */
  requiredPermission(): string | undefined;
  /**
   * Takes a re-checked copy of the key and its owner's wallets (a wallet change reaches sessions this
   * way); returns why the session must end under them, or null to go on.
   */
  adoptKey(fresh: ApiKey, ownerWallets: readonly string[]): EndReason | null;
  /** Ends the session (idempotent): close code and reason per protocol. */
  end(reason: EndReason, message?: string): void;
  /** Sends a keep-alive and reports false when the peer missed the previous one. */
  keepAlive(now: number): boolean;
}

/** Receives one channel's publications, batched and framed once for every subscriber of the channel. */
export interface ChannelListener {
  deliver(batch: PublicationBatch): void;
}

/** Receives listing announcements for the exchanges it asked for (spec 002 feed). */
export interface AnnouncementListener {
  /** Lowercase exchanges wanted, or '*' for all. */
  readonly exchanges: ReadonlySet<string> | '*';
  announce(frame: PreparedFrame): void;
}
