// The console's only way to talk to Keygate: the same /v1 management API every client uses. The browser
// sends the httpOnly session cookie; unsafe requests echo the session's CSRF token.

/** The signed-in user as GET /v1/console/session describes them. */
export interface ConsoleSession {
  readonly user: { id: string; name: string; role: string; usageLevel: string; tier: string; wallets: string[] };
  readonly organization: { id: string; name: string; revokePolicy: string };
  readonly via: string;
  readonly csrfToken: string;
  readonly expiresAt: string;
}

/** A key as the management API lists it (never its secret). */
export interface KeyView {
  readonly id: string;
  readonly name: string;
  readonly scheme: string;
  readonly tail: string;
  readonly status: 'active' | 'expired' | 'revoked';
  /** False while an admin has the key suspended. */
  readonly enabled: boolean;
  readonly permissions: string[];
  readonly ipAllowlist: string[];
  readonly allowedExchanges: string[];
  /** Verified requests per minute an admin set for this key; null: its tier's limit applies. */
  readonly requestsPerMinute: number | null;
  readonly ownerId: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** A freshly created key: the only time `key` (the secret) is ever sent. */
export interface CreatedKey extends KeyView {
  readonly key: string;
}

export interface Permission {
  readonly name: string;
  readonly description: string;
}

export interface CreateKeyInput {
  name: string;
  permissions: string[];
  expiresAt: string | null;
  ipAllowlist?: string[];
  allowedExchanges?: string[];
}

/** A refusal from the API, with the field it names when it is an input error. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  constructor(status: number, code: string, message: string, field?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** Calls the Keygate API from the console page. */
export class ApiClient {
  #csrfToken: string | null = null;
  /** Called when a signed-in call comes back 401 (session expired or signed out elsewhere). */
  onSessionLost: (() => void) | null = null;

  /** Remembers the CSRF token of the current session (from sign-in or GET /v1/console/session). */
  useSession(session: ConsoleSession | null): void {
    this.#csrfToken = session?.csrfToken ?? null;
  }

  async #call<T>(method: string, path: string, options: { body?: unknown; bearer?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    if (method !== 'GET' && this.#csrfToken) headers['x-csrf-token'] = this.#csrfToken;
    const response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (response.status === 401 && this.#csrfToken && !options.bearer && !path.startsWith('/v1/console/')) this.onSessionLost?.();
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; field?: string } } | null)?.error;
      throw new ApiError(response.status, error?.code ?? 'HTTP_' + response.status, error?.message ?? `request failed with HTTP ${response.status}`, error?.field);
    }
    return parsed as T;
  }

  /** The session of this browser, or null when signed out. */
  async currentSession(): Promise<ConsoleSession | null> {
    try {
      return await this.#call<ConsoleSession>('GET', '/v1/console/session');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return null;
      throw error;
    }
  }

  /** A single-use nonce for a Sign-In with Ethereum message. */
  siweNonce(): Promise<{ nonce: string; domain: string; expiresAt: string }> {
    return this.#call('POST', '/v1/console/siwe/nonce');
  }

  /** Sends the wallet-signed EIP-4361 message; the server answers with a session cookie. */
  signInWithSiwe(message: string, signature: string): Promise<ConsoleSession> {
    return this.#call('POST', '/v1/console/siwe', { body: { message, signature } });
  }

  /** Checks a management token (GET /v1/me), then exchanges it for a session cookie; the token is not kept. */
  async signInWithToken(token: string): Promise<ConsoleSession> {
    await this.#call('GET', '/v1/me', { bearer: token });
    return this.#call('POST', '/v1/console/session', { bearer: token });
  }

  signOut(): Promise<void> {
    return this.#call('DELETE', '/v1/console/session');
  }

  async listKeys(query: string): Promise<KeyView[]> {
    const q = query.trim();
    const body = await this.#call<{ keys: KeyView[] }>('GET', q ? `/v1/keys?q=${encodeURIComponent(q)}` : '/v1/keys');
    return body.keys;
  }

  async permissions(): Promise<Permission[]> {
    return (await this.#call<{ permissions: Permission[] }>('GET', '/v1/permissions')).permissions;
  }

  createKey(input: CreateKeyInput): Promise<CreatedKey> {
    return this.#call('POST', '/v1/keys', { body: input });
  }

  revokeKey(id: string): Promise<KeyView> {
    return this.#call('POST', `/v1/keys/${encodeURIComponent(id)}/revoke`);
  }

  /** Sets a key's own request limit, or with null hands it back to its tier's; admins only. */
  setKeyRequestLimit(id: string, requestsPerMinute: number | null): Promise<KeyView> {
    return this.#call('PATCH', `/v1/keys/${encodeURIComponent(id)}`, { body: { requestsPerMinute } });
  }

  /** Suspends (false) or resumes (true) a key; admins only. */
  setKeyEnabled(id: string, enabled: boolean): Promise<KeyView> {
    return this.#call('PATCH', `/v1/keys/${encodeURIComponent(id)}`, { body: { enabled } });
  }
}
