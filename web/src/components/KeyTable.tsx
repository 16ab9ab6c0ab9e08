import type { KeyView } from '../api-client.ts';
import { formatDay, formatMoment } from '../key-expiry.ts';
import { requestLimitLabel } from '../request-limit.ts';
import { StatusBadge } from './StatusBadge.tsx';

/** The organization's keys: one row each; Revoke only where the viewer may revoke, Limit and Suspend/Resume for admins. */
export function KeyTable(props: {
  keys: readonly KeyView[];
  canRevoke: (key: KeyView) => boolean;
  onRevoke: (key: KeyView) => void;
  /** Set for admins only: suspends (false) or resumes (true) a key. */
  onSetEnabled?: (key: KeyView, enabled: boolean) => void;
  /** Set for admins only: opens the key's request limit. */
  onEditLimit?: (key: KeyView) => void;
  loading: boolean;
}) {
  if (!props.loading && props.keys.length === 0) {
    return <p className="empty">No API keys match. Create one with “Create API Key”.</p>;
  }
  return (
    <div className="table-wrap">
      <table className="key-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">Scheme</th>
            <th scope="col">Permissions</th>
            <th scope="col">Limit</th>
            <th scope="col">Created</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.keys.map((key) => (
            <tr key={key.id} data-key-id={key.id} className={key.status !== 'active' || !key.enabled ? 'inactive' : undefined}>
              <td data-label="Name" className="key-name">
                {key.name}
              </td>
              <td data-label="Key">
                <code className="tail" title="The last six characters of the key">
                  ••••{key.tail}
                </code>
              </td>
              <td data-label="Scheme">{key.scheme}</td>
              <td data-label="Permissions">
                <span className="chips">
                  {key.permissions.length === 0 ? <span className="muted">none</span> : key.permissions.map((p) => <span key={p} className="chip">{p}</span>)}
                </span>
              </td>
              <td data-label="Limit" className="nowrap" title={key.requestsPerMinute === null ? "The tier's request limit applies" : 'Verified requests per minute set for this key'}>
                <span className={key.requestsPerMinute === null ? 'muted' : undefined}>{requestLimitLabel(key.requestsPerMinute)}</span>
              </td>
              <td data-label="Created">{formatDay(key.createdAt)}</td>
              <td data-label="Expires">{formatDay(key.expiresAt, 'Never')}</td>
              <td data-label="Last used">{formatMoment(key.lastUsedAt)}</td>
              <td data-label="Status">
                <StatusBadge status={key.status} enabled={key.enabled} />
              </td>
              <td className="actions">
                {key.status === 'active' && props.onEditLimit && (
                  <button type="button" className="secondary small" onClick={() => props.onEditLimit!(key)} aria-label={`Set the request limit of ${key.name}`} title="Verified requests per minute for this key">
                    Limit
                  </button>
                )}
                {key.status === 'active' && props.onSetEnabled && (
                  <button
                    type="button"
                    className="secondary small"
                    onClick={() => props.onSetEnabled!(key, !key.enabled)}
                    aria-label={`${key.enabled ? 'Suspend' : 'Resume'} ${key.name}`}
                    title={key.enabled ? 'Refuse the key and end its live sessions until resumed' : 'Let the key in again'}
                  >
                    {key.enabled ? 'Suspend' : 'Resume'}
                  </button>
                )}
                {key.status === 'active' && props.canRevoke(key) && (
                  <button type="button" className="danger small" onClick={() => props.onRevoke(key)} aria-label={`Revoke ${key.name}`}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
