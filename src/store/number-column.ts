/** A nullable integer column as a number (PostgreSQL's driver returns BIGINT as a string). */
export function numberOrNull(value: number | string | bigint | null): number | null {
  return value === null ? null : Number(value);
}
