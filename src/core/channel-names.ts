import { isExchangeName } from './exchange-name.ts';
import { checksumAddress } from './wallet-address.ts';

/**
 * Real-time channel names, in one place: `maintenance:wallet:{EIP-55 address}` (spec 000) and
 * `listings:{exchange}` (spec 002's announcements, lowercase exchange).
 */
export const WALLET_CHANNEL_PREFIX = 'maintenance:wallet:';
export const LISTINGS_CHANNEL_PREFIX = 'listings:';

/** What a channel name means. */
export type ChannelName =
  | { readonly kind: 'wallet'; readonly namespace: 'maintenance:wallet'; readonly address: string }
  | { readonly kind: 'listings'; readonly namespace: 'listings'; readonly exchange: string }
  | { readonly kind: 'unknown' };

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** Parses a channel name into its namespace and parameter (not yet validated). */
export function parseChannel(channel: string): ChannelName {
  if (channel.startsWith(WALLET_CHANNEL_PREFIX)) return { kind: 'wallet', namespace: 'maintenance:wallet', address: channel.slice(WALLET_CHANNEL_PREFIX.length) };
  if (channel.startsWith(LISTINGS_CHANNEL_PREFIX)) return { kind: 'listings', namespace: 'listings', exchange: channel.slice(LISTINGS_CHANNEL_PREFIX.length) };
  return { kind: 'unknown' };
}

/** The spec 000 channel of a wallet's maintenance updates, under its checksummed address. */
export function maintenanceChannel(wallet: string): string {
  return WALLET_CHANNEL_PREFIX + checksumAddress(wallet);
}

/** The channel of one exchange's listing announcements (exchange in lower case). */
export function listingChannel(exchange: string): string {
  return LISTINGS_CHANNEL_PREFIX + exchange.toLowerCase();
}

/** True for a wallet channel (whatever its address). */
export function isWalletChannel(channel: string): boolean {
  return channel.startsWith(WALLET_CHANNEL_PREFIX);
}

/** The exchange a `listings:{exchange}` channel carries, or null for other channels. */
export function exchangeOf(channel: string): string | null {
  return channel.startsWith(LISTINGS_CHANNEL_PREFIX) ? channel.slice(LISTINGS_CHANNEL_PREFIX.length) : null;
}

/**
 * The channel a server publication goes to: wallet channels under the checksummed address (the only
 * form clients may subscribe to), listings under the lowercase exchange; null for unknown channels.
 */
export function canonicalChannel(channel: string): string | null {
  const parsed = parseChannel(channel);
  if (parsed.kind === 'wallet') return HEX_ADDRESS.test(parsed.address) ? maintenanceChannel(parsed.address) : null;
  if (parsed.kind === 'listings') return isExchangeName(parsed.exchange.toLowerCase()) ? listingChannel(parsed.exchange) : null;
  return null;
}
