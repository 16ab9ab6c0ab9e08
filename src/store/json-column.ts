/** Lists are kept as JSON text so one schema serves SQLite and PostgreSQL. */
export function toJsonColumn(value: readonly string[]): string {
  return JSON.stringify(value);
}

/** Reads a JSON text column back into a string list. */
export function fromJsonColumn(text: string): string[] {
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.map(String) : [];
}
