/** A key's status as a coloured pill; an active key an admin suspended shows as suspended. */
export function StatusBadge(props: { status: string; enabled?: boolean }) {
  const shown = props.status === 'active' && props.enabled === false ? 'suspended' : props.status;
  return <span className={`badge status-${shown}`}>{shown}</span>;
}
