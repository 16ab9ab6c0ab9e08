import { getAddress, isAddress } from 'viem';
import { badInput } from './errors.ts';

const HEX_ADDRESS = /^(0x|0X)?[0-9a-fA-F]{40}$/;

/** Normalises any 20-byte hex address (optional 0x/0X) to lowercase `0x…`; throws naming `field`. */
export function normaliseAddress(address: unknown, field = 'address'): string {
  if (typeof address !== 'string' || !HEX_ADDRESS.test(address)) {
    throw badInput(field, `${field} must be a 20-byte hex address (0x followed by 40 hex digits)`);
  }
  return '0x' + address.replace(/^0x/i, '').toLowerCase();
}

/** The EIP-55 checksummed form of an address. */
export function checksumAddress(address: string): string {
  return getAddress(normaliseAddress(address));
}

/** True only when `address` is written exactly in its EIP-55 checksummed form. */
export function isChecksummedAddress(address: string): boolean {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return false;
  return isAddress(address, { strict: true }) && getAddress(address) === address;
}
