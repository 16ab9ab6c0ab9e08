// PostgreSQL rejects NUL in text outright, and no name or label needs a control character.
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** True when `text` contains a C0 control character or DEL. */
export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}
