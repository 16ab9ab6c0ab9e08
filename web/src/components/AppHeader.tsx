import type { ConsoleSession } from '../api-client.ts';

export type Page = 'keys' | 'live';

const short = (address: string) => `${address.slice(0, 6)}…${address.slice(-4)}`;

/** The top bar: brand, page tabs, who is signed in, sign-out. */
export function AppHeader(props: { session: ConsoleSession; page: Page; onNavigate: (page: Page) => void; onSignOut: () => void }) {
  const { user, organization } = props.session;
  const tab = (page: Page, label: string, href: string) => (
    <a
      href={href}
      className={props.page === page ? 'tab active' : 'tab'}
      aria-current={props.page === page ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        props.onNavigate(page);
      }}
    >
      {label}
    </a>
  );
  return (
    <header className="app-header">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Keygate
      </div>
      <nav className="tabs" aria-label="Console">
        {tab('keys', 'API Keys', '/')}
        {tab('live', 'Live view', '/live')}
      </nav>
      <div className="who">
        <span className="who-name">
          {user.name} <span className={`badge role-${user.role}`}>{user.role === 'admin' ? 'Organization admin' : 'Member'}</span>
        </span>
        <span className="muted who-org">
          {organization.name}
          {user.wallets[0] ? ` · ${short(user.wallets[0])}` : ''}
        </span>
        <button type="button" className="secondary small" onClick={props.onSignOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}
