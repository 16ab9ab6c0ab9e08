/** Which ASCII codes are characters of the standard base64 alphabet (A–Z, a–z, 0–9, +, /). */
const ALPHABET = new Uint8Array(128);
for (const char of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') ALPHABET[char.charCodeAt(0)] = 1;
const PAD = 0x3d;

/**
 * True when `text` is standard base64 with at most two `=` of padding at the end: exactly what
 * /^[A-Za-z0-9+/]+={0,2}$/ accepts. Written as a table walk because it runs on every RSA-signed
 * request, where the regular expression took about 1.75 µs on a 344-character signature.
 */
export function isBase64(text: string): boolean {
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === PAD) end -= 1;
  if (end > 0 && text.charCodeAt(end - 1) === PAD) end -= 1;
  if (end === 0) return false;
  for (let i = 0; i < end; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 128 || ALPHABET[code] === 0) return false;
  }
  return true;
}
