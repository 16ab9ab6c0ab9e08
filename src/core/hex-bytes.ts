/** Each ASCII code's value as a hex digit (0–9, a–f, A–F), or -1. */
const NIBBLES = new Int8Array(128).fill(-1);
for (const [value, char] of [...'0123456789abcdef'].entries()) {
  NIBBLES[char.charCodeAt(0)] = value;
  NIBBLES[char.toUpperCase().charCodeAt(0)] = value;
}

/**
 * A decoder of exactly `digits` hex digits (either case) to their bytes: null for any other text.
 * One pass that checks and decodes, because it runs on every HMAC- and Ed25519-signed request: a
 * regular expression followed by Node's decoder took about 0.44 µs for 64 digits, this 0.15–0.28.
 */
export function fixedHexDecoder(digits: number): (text: string) => Buffer | null {
  if (digits % 2 !== 0) throw new RangeError(`a byte is two hex digits; ${digits} is odd`);
  return (text) => {
    if (text.length !== digits) return null;
    const bytes = Buffer.allocUnsafe(digits >>> 1);
    for (let i = 0, at = 0; i < digits; i += 2, at += 1) {
      const a = text.charCodeAt(i);
      const b = text.charCodeAt(i + 1);
      if ((a | b) > 127) return null;
      const high = NIBBLES[a];
      const low = NIBBLES[b];
      if ((high | low) < 0) return null;
      bytes[at] = (high << 4) | low;
    }
    return bytes;
  };
}
