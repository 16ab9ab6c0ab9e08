import { recoverMessageAddress, type Hex } from 'viem';
import { badInput } from './errors.ts';

/** A personal_sign signature split into its parts, as spec 003 request bodies carry it. */
export interface SplitSignature {
  readonly r: unknown;
  readonly s: unknown;
  readonly v: unknown;
}

const WORD = /^(0x)?[0-9a-fA-F]{64}$/;

/** Reads v as 27/28 from "0x1b"/"0x1c", "27"/"28", 27/28 or 0/1 (wallets and libraries differ). */
function recoveryByte(v: unknown, field: string): number {
  let value: number | null = null;
  if (typeof v === 'number' && Number.isInteger(v)) value = v;
  else if (typeof v === 'string' && /^0x[0-9a-fA-F]{1,2}$/i.test(v.trim())) value = Number.parseInt(v.trim().slice(2), 16);
  else if (typeof v === 'string' && /^\d{1,2}$/.test(v.trim())) value = Number(v.trim());
  if (value === 0 || value === 1) return value + 27;
  if (value === 27 || value === 28) return value;
  throw badInput(`${field}.v`, `${field}.v must be 27 or 28 (0x1b/0x1c) or 0 or 1`);
}

function word(value: unknown, field: string): string {
  if (typeof value !== 'string' || !WORD.test(value)) throw badInput(field, `${field} must be 32 bytes of hex (0x followed by 64 hex digits)`);
  return value.replace(/^0x/i, '').toLowerCase();
}

/** Joins {r,s,v} into the 65-byte signature hex; throws a 400 naming the bad part. */
export function joinSignature(signature: SplitSignature, field = 'signature'): Hex {
  const r = word(signature.r, `${field}.r`);
  const s = word(signature.s, `${field}.s`);
  const v = recoveryByte(signature.v, field);
  return `0x${r}${s}${v.toString(16)}`;
}

/**
 * The lowercase address that personal_signed `message` (EIP-191: keccak256 of
 * "\x19Ethereum Signed Message:\n" + byte length + message), or null when no signer can be recovered.
 */
export async function recoverPersonalSigner(message: string, signature: SplitSignature, field = 'signature'): Promise<string | null> {
  const joined = joinSignature(signature, field);
  try {
    return (await recoverMessageAddress({ message, signature: joined })).toLowerCase();
  } catch {
    return null;
  }
}
