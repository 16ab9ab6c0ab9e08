import { checksumAddress } from '../core/wallet-address.ts';

/** The spec-000 channel of a wallet's maintenance updates; the address is EIP-55 checksummed. */
export function maintenanceChannel(wallet: string): string {
  return `maintenance:wallet:${checksumAddress(wallet)}`;
}

/** The channel of one exchange's listing announcements (exchange in lower case). */
export function listingChannel(exchange: string): string {
  return `listings:${exchange.toLowerCase()}`;
}
