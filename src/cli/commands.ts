import type { Tier } from '../core/api-key.ts';
import { KeygateError } from '../core/errors.ts';
import type { Principal, RevokePolicy, Role, UsageLevel, User } from '../core/principal.ts';
import { keyView } from '../service/key-view.ts';
import type { Keygate } from '../runtime/keygate.ts';
import { CliError } from './cli-error.ts';
import { optionalInt, parseCommand, required } from './command-options.ts';

/** Prints a result as JSON so scripts can read it. */
export type Print = (value: unknown) => void;

/** The user a --user flag names, within --org when given; an ambiguous name asks for --org. */
async function findUser(keygate: Keygate, userRef: string, orgId: string | undefined): Promise<User> {
  try {
    return await keygate.directory.findUser(userRef, orgId);
  } catch (error) {
    if (error instanceof KeygateError && error.field === 'organization') throw new CliError(error.message.replace(/say which organization$/, 'give --org <organization>'));
    throw error;
  }
}

async function actingPrincipal(keygate: Keygate, userRef: string | undefined, orgRef: string | undefined): Promise<Principal> {
  const org = orgRef ? await keygate.directory.findOrganization(orgRef) : undefined;
  if (userRef) {
    const user = await findUser(keygate, userRef, org?.id);
    return keygate.tokens.principalFor(user.id, 'cli', null);
  }
  if (!org) throw new CliError('give --user (act as that user) or --org (act as its first admin)');
  const admin = (await keygate.store.users.listByOrganization(org.id)).find((u) => u.role === 'admin');
  if (!admin) throw new CliError(`organization ${org.name} has no admin to act as; give --user`);
  return keygate.tokens.principalFor(admin.id, 'cli', null);
}

export async function orgCreate(keygate: Keygate, args: string[], print: Print): Promise<void> {
  const { values, positionals } = parseCommand(args, { name: { type: 'string' }, 'revoke-policy': { type: 'string' } }, true);
  const name = (values.name as string | undefined) ?? positionals[0];
  if (!name) throw new CliError('organization name is required: keygate org create <name>');
  const org = await keygate.directory.createOrganization(name, (values['revoke-policy'] as RevokePolicy | undefined) ?? 'admins');
  print({ organization: org });
}

export async function userCreate(keygate: Keygate, args: string[], print: Print): Promise<void> {
  const { values } = parseCommand(args, {
    org: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    'usage-level': { type: 'string' },
    tier: { type: 'string' },
    wallet: { type: 'string', multiple: true },
  });
  const org = await keygate.directory.findOrganization(required(values, 'org'));
  const user = await keygate.directory.createUser({
    organizationId: org.id,
    name: required(values, 'name'),
    role: values.role as Role | undefined,
    usageLevel: values['usage-level'] as UsageLevel | undefined,
    tier: values.tier as Tier | undefined,
    wallets: (values.wallet as string[] | undefined) ?? [],
  });
  print({ user });
}

export async function tokenCreate(keygate: Keygate, args: string[], print: Print): Promise<void> {
  const { values } = parseCommand(args, { user: { type: 'string' }, org: { type: 'string' }, name: { type: 'string' }, 'ttl-days': { type: 'string' } });
  const userRef = required(values, 'user');
  const days = optionalInt(values, 'ttl-days');
  const org = values.org ? await keygate.directory.findOrganization(values.org as string) : undefined;
  const user = await findUser(keygate, userRef, org?.id);
  const created = await keygate.tokens.create(user, (values.name as string | undefined) ?? 'cli token', days === undefined ? null : days * 86_400_000);
  print({ token: created.token, id: created.id, user: user.name, expiresAt: created.expiresAt === null ? null : new Date(created.expiresAt).toISOString() });
}

export async function keysCreate(keygate: Keygate, args: string[], print: Print): Promise<void> {
  const { values } = parseCommand(args, {
    user: { type: 'string' },
    org: { type: 'string' },
    name: { type: 'string' },
    permission: { type: 'string', multiple: true },
    ip: { type: 'string', multiple: true },
    exchange: { type: 'string', multiple: true },
    tier: { type: 'string' },
    'max-connections': { type: 'string' },
    'expires-in-days': { type: 'string' },
  });
  // Flags first, so bad input is reported before anything is looked up.
  const userRef = required(values, 'user');
  const name = required(values, 'name');
  const days = optionalInt(values, 'expires-in-days');
  const maxConnections = optionalInt(values, 'max-connections');
  const principal = await actingPrincipal(keygate, userRef, values.org as string | undefined);
  const created = await keygate.keys.create(principal, {
    name,
    permissions: values.permission as string[] | undefined,
    ipAllowlist: values.ip as string[] | undefined,
    allowedExchanges: values.exchange as string[] | undefined,
    tier: values.tier as Tier | undefined,
    maxConnections,
    expiresAt: days === undefined ? null : keygate.clock.now() + days * 86_400_000,
    origin: 'cli',
  });
  print({ ...keyView(created.key, keygate.clock.now()), key: created.secret });
}

export async function keysList(keygate: Keygate, args: string[], print: Print): Promise<void> {
  const { values } = parseCommand(args, { user: { type: 'string' }, org: { type: 'string' }, name: { type: 'string' }, tail: { type: 'string' } });
  const principal = await actingPrincipal(keygate, values.user as string | undefined, values.org as string | undefined);
  const keys = await keygate.keys.list(principal, { name: values.name as string | undefined, tail: values.tail as string | undefined });
  print({ keys: keys.map((k) => keyView(k, keygate.clock.now())) });
}

export async function keysRevoke(keygate: Keygate, args: string[], print: Print): Promise<void> {
  const { values, positionals } = parseCommand(args, { user: { type: 'string' }, org: { type: 'string' } }, true);
  const id = positionals[0];
  if (!id) throw new CliError('key id is required: keygate keys revoke <id> --org <organization>');
  const key = await keygate.store.keys.findById(id);
  if (!key) throw new CliError(`no API key with id ${id}`);
  const principal = await actingPrincipal(keygate, values.user as string | undefined, (values.org as string | undefined) ?? key.organizationId);
  const revoked = await keygate.keys.revoke(principal, id);
  print(keyView(revoked, keygate.clock.now()));
}
