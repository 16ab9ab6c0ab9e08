import { allowsExchange, type ApiKey } from '../core/api-key.ts';
import { hasPermission } from '../core/permissions.ts';
import { checksumAddress, isChecksummedAddress } from '../core/wallet-address.ts';

/** Channel settings from configuration (realtime.channels). */
export interface ChannelSettings {
  /** Permission a key needs for `maintenance:wallet:{address}` (spec 000). */
  readonly walletPermission: string;
  /** Namespaces whose channels clients may publish into; none by default. */
  readonly clientPublishNamespaces: readonly string[];
}

/** What a channel name means. */
export type ChannelName =
  | { readonly kind: 'wallet'; readonly namespace: 'maintenance:wallet'; readonly address: string }
  | { readonly kind: 'listings'; readonly namespace: 'listings'; readonly exchange: string }
  | { readonly kind: 'unknown' };

/** What a session may do with a channel. */
export type ChannelDecision =
  | { readonly allowed: true; readonly permission?: string }
  | { readonly allowed: false; readonly error: 'UNKNOWN_CHANNEL' | 'PERMISSION_DENIED'; readonly message: string };

const WALLET_PREFIX = 'maintenance:wallet:';
const LISTINGS_PREFIX = 'listings:';
const EXCHANGE = /^[a-z0-9][a-z0-9_.-]{0,31}$/;

/** Parses a channel name into its namespace and parameter. */
export function parseChannel(channel: string): ChannelName {
  if (channel.startsWith(WALLET_PREFIX)) return { kind: 'wallet', namespace: 'maintenance:wallet', address: channel.slice(WALLET_PREFIX.length) };
  if (channel.startsWith(LISTINGS_PREFIX)) return { kind: 'listings', namespace: 'listings', exchange: channel.slice(LISTINGS_PREFIX.length) };
  return { kind: 'unknown' };
}

/** The exchange a `listings:{exchange}` channel carries, or null for other channels. */
export function exchangeOf(channel: string): string | null {
  return channel.startsWith(LISTINGS_PREFIX) ? channel.slice(LISTINGS_PREFIX.length) : null;
}

/**
 * May `key` (owned by a user holding `ownerWallets`, lowercase) subscribe to `channel`?
 * Wallet channels need an EIP-55 checksummed address the key's owner holds and the wallet permission;
 * listings channels need the exchange among the key's allowed exchanges.
 */
export function canSubscribe(channel: string, key: ApiKey, ownerWallets: readonly string[], settings: ChannelSettings): ChannelDecision {
  const parsed = parseChannel(channel);
  if (parsed.kind === 'wallet') {
    if (!/^0x[0-9a-fA-F]{40}$/.test(parsed.address)) {
      return { allowed: false, error: 'PERMISSION_DENIED', message: `"${parsed.address}" is not a wallet address (0x followed by 40 hex digits)` };
    }
    if (!isChecksummedAddress(parsed.address)) {
      return { allowed: false, error: 'PERMISSION_DENIED', message: 'wallet address must be EIP-55 checksummed' };
    }
    if (!ownerWallets.includes(parsed.address.toLowerCase())) {
      return { allowed: false, error: 'PERMISSION_DENIED', message: 'wallet does not belong to the owner of this API key' };
    }
    if (!hasPermission(key.permissions, settings.walletPermission)) {
      return { allowed: false, error: 'PERMISSION_DENIED', message: `API key lacks the "${settings.walletPermission}" permission` };
    }
    return { allowed: true, permission: settings.walletPermission };
  }
  if (parsed.kind === 'listings') {
    if (!EXCHANGE.test(parsed.exchange)) return { allowed: false, error: 'UNKNOWN_CHANNEL', message: `"${parsed.exchange}" is not an exchange name` };
    if (!allowsExchange(key, parsed.exchange)) {
      return { allowed: false, error: 'PERMISSION_DENIED', message: `API key does not allow exchange "${parsed.exchange}"` };
    }
    return { allowed: true };
  }
  return { allowed: false, error: 'UNKNOWN_CHANNEL', message: 'unknown channel namespace' };
}

/** May a client publish into `channel`? Only into configured namespaces, and only channels it may read. */
export function canPublish(channel: string, key: ApiKey, ownerWallets: readonly string[], settings: ChannelSettings): ChannelDecision {
  const read = canSubscribe(channel, key, ownerWallets, settings);
  if (!read.allowed) return read;
  const parsed = parseChannel(channel);
  if (parsed.kind === 'unknown' || !settings.clientPublishNamespaces.includes(parsed.namespace)) {
    return { allowed: false, error: 'PERMISSION_DENIED', message: 'clients may not publish into this channel' };
  }
  return read;
}

/**
 * The channel a server publication goes to: wallet channels under the checksummed address (the only
 * form clients may subscribe to), listings under the lowercase exchange; null for unknown channels.
 */
export function canonicalChannel(channel: string): string | null {
  const parsed = parseChannel(channel);
  if (parsed.kind === 'wallet') return /^0x[0-9a-fA-F]{40}$/.test(parsed.address) ? WALLET_PREFIX + checksumAddress(parsed.address) : null;
  if (parsed.kind === 'listings') return EXCHANGE.test(parsed.exchange.toLowerCase()) ? LISTINGS_PREFIX + parsed.exchange.toLowerCase() : null;
  return null;
}
