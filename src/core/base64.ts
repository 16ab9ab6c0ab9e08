/** Each ASCII code's value as a standard base64 digit (A–Z, a–z, 0–9, +, /), or -1. */
const SEXTETS = new Int8Array(128).fill(-1);
for (const [value, char] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].entries()) SEXTETS[char.charCodeAt(0)] = value;
const PAD = 0x3d;

function sextet(code: number): number {
  return code < 128 ? SEXTETS[code] : -1;
}

/**
 * Decodes standard base64 with at most two `=` of padding at the end, exactly what
 * /^[A-Za-z0-9+/]+={0,2}$/ accepts, to the bytes `Buffer.from(text, 'base64')` gives; null for anything else.
 * Written by hand because it runs on every RSA-signed request: Node's decoder uses AVX-512 on CPUs that
 * have it, and on this machine each call slowed the RSA verification right after it by about 2 µs
 * (the decode itself took 0.2 µs), while this one pass checks and decodes in 0.7 µs with no such toll.
 */
export function decodeBase64(text: string): Buffer | null {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === PAD) end -= 1;
  if (end > 0 && text.charCodeAt(end - 1) === PAD) end -= 1;
  if (end === 0) return null;
  const bytes = Buffer.allocUnsafe((end * 3) >>> 2);
  const whole = end & ~3;
  let at = 0;
  for (let i = 0; i < whole; i += 4) {
    const a = sextet(text.charCodeAt(i));
    const b = sextet(text.charCodeAt(i + 1));
    const c = sextet(text.charCodeAt(i + 2));
    const d = sextet(text.charCodeAt(i + 3));
    if ((a | b | c | d) < 0) return null;
    const group = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[at] = group >>> 16;
    bytes[at + 1] = (group >>> 8) & 0xff;
    bytes[at + 2] = group & 0xff;
    at += 3;
  }
  // One to three digits left: their spare low bits are dropped, as Node's decoder drops them.
  let tail = 0;
  for (let i = whole; i < end; i += 1) {
    const value = sextet(text.charCodeAt(i));
    if (value < 0) return null;
    tail = (tail << 6) | value;
  }
  if (end - whole === 2) bytes[at] = tail >>> 4;
  else if (end - whole === 3) {
    bytes[at] = tail >>> 10;
    bytes[at + 1] = (tail >>> 2) & 0xff;
  }
  return bytes;
}
