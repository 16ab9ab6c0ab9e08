import { allowsExchange, type ApiKey } from '../core/api-key.ts';
import { hasPermission } from '../core/permissions.ts';
import { parseChannel } from '../core/channel-names.ts';
import { isExchangeName } from '../core/exchange-name.ts';
import { isChecksummedAddress } from '../core/wallet-address.ts';

/** Channel settings from configuration (realtime.channels). */
export interface ChannelSettings {
  /** Permission a key needs for `maintenance:wallet:{address}` (spec 000). */
  readonly walletPermission: string;
  /** Namespaces whose channels clients may publish into; none by default. */
  readonly clientPublishNamespaces: readonly string[];
}

/** What a session may do with a channel. */
export type ChannelDecision =
  | { readonly allowed: true; readonly permission?: string }
  | { readonly allowed: false; readonly error: 'UNKNOWN_CHANNEL' | 'PERMISSION_DENIED'; readonly message: string };

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
    if (!isExchangeName(parsed.exchange)) return { allowed: false, error: 'UNKNOWN_CHANNEL', message: `"${parsed.exchange}" is not an exchange name` };
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
