/** A decoder of exactly `digits` hex digits (either case) to their bytes: null for any other text. */
export function fixedHexDecoder(digits: number): (text: string) => Buffer | null {
  const shape = new RegExp(`^[0-9a-fA-F]{${digits}}$`);
  return (text) => (shape.test(text) ? Buffer.from(text, 'hex') : null);
}
