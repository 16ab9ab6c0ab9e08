import { randomBytes } from 'node:crypto';
import type { Tier } from '../../src/core/api-key.ts';
import type { Logger } from 'pino';
import type { Clock } from '../../src/core/clock.ts';
import type { Role, UsageLevel, User } from '../../src/core/principal.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createKeygate, type Keygate } from '../../src/runtime/keygate.ts';
import { createTestDatabase, type TestDatabase } from './databases.ts';

/** A running Keygate node on a random port, with an organization, an admin and a member. */
export interface TestNode {
  readonly keygate: Keygate;
  readonly url: string;
  readonly database: TestDatabase;
  readonly organizationId: string;
  readonly admin: TestUser;
  readonly member: TestUser;
  /** Creates another user of the organization with a management token. */
  addUser(options?: { role?: Role; usageLevel?: UsageLevel; tier?: Tier; wallets?: string[]; name?: string }): Promise<TestUser>;
  /** fetch against this node with JSON in and out. */
  request(method: string, path: string, options?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export interface TestUser {
  readonly user: User;
  readonly token: string;
}

export interface StartOptions {
  readonly dialect?: 'sqlite' | 'postgres';
  /** Use Redis at REDIS_URL for the bus (tests skip when it is unset). */
  readonly redis?: boolean;
  /** Share the database and Redis namespace of another node (multi-node tests). */
  readonly joinOf?: TestNode;
  readonly clock?: Clock;
  readonly config?: Record<string, unknown>;
  /** The node's logger (tests that check what a node logs); by default one at KEYGATE_TEST_LOG_LEVEL. */
  readonly logger?: Logger;
}

/** Starts a real Keygate node for a test: real store, real broker, real HTTP on 127.0.0.1. */
export async function startNode(options: StartOptions = {}): Promise<TestNode> {
  const database = options.joinOf?.database ?? (await createTestDatabase(options.dialect ?? 'sqlite'));
  const redisUrl = options.redis ? (process.env.REDIS_URL ?? null) : null;
  if (options.redis && !redisUrl) throw new Error('REDIS_URL is not set');
  const brokerPrefix = options.joinOf ? (options.joinOf.keygate as unknown as { brokerPrefix: string }).brokerPrefix : `kgtest:${randomBytes(4).toString('hex')}:`;
  const config = loadConfig({
    env: {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      dataDir: database.dataDir,
      databaseUrl: database.databaseUrl,
      redisUrl,
      logLevel: process.env.KEYGATE_TEST_LOG_LEVEL ?? 'silent',
      ...(options.config ?? {}),
    },
  });
  const keygate = await createKeygate({ config, clock: options.clock, brokerPrefix, logger: options.logger });
  Object.assign(keygate, { brokerPrefix });
  const url = await keygate.listen();

  let organizationId: string;
  let admin: TestUser;
  let member: TestUser;
  const makeUser = async (orgId: string, o: { role?: Role; usageLevel?: UsageLevel; tier?: Tier; wallets?: string[]; name?: string } = {}) => {
    const user = await keygate.directory.createUser({
      organizationId: orgId,
      name: o.name ?? `user-${randomBytes(4).toString('hex')}`,
      role: o.role ?? 'member',
      usageLevel: o.usageLevel,
      tier: o.tier,
      wallets: o.wallets,
    });
    const { token } = await keygate.tokens.create(user, 'test');
    return { user, token };
  };
  if (options.joinOf) {
    organizationId = options.joinOf.organizationId;
    admin = options.joinOf.admin;
    member = options.joinOf.member;
  } else {
    const org = await keygate.directory.createOrganization(`org-${randomBytes(4).toString('hex')}`, 'admins');
    organizationId = org.id;
    admin = await makeUser(org.id, { role: 'admin', usageLevel: 'premier', tier: 'premium', name: 'admin' });
    member = await makeUser(org.id, { role: 'member', name: 'member' });
  }

  return {
    keygate,
    url,
    database,
    organizationId,
    admin,
    member,
    addUser: (o) => makeUser(organizationId, o),
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      if (o.body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(url + path, { method, headers, body: o.body === undefined ? undefined : JSON.stringify(o.body) });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: response.status, body, headers: response.headers };
    },
    async stop() {
      await keygate.close();
      if (!options.joinOf) await database.drop();
    },
  };
}
