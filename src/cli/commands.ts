import type { Tier } from '../core/api-key.ts';
import { KeygateError } from '../core/errors.ts';
import { MAX_TOKEN_TTL_DAYS } from '../core/token-lifetime.ts';
import type { Principal, RevokePolicy, Role, UsageLevel, User } from '../core/principal.ts';
import { keyView } from '../service/key-view.ts';
import type { Clock } from '../core/clock.ts';
import type { DirectoryService } from '../service/directory-service.ts';
import type { KeyService, UpdateKeyInput } from '../service/key-service.ts';
import type { TokenService } from '../service/token-service.ts';
import { CliError } from './cli-error.ts';
import { optionalInt, parseCommand, required } from './command-options.ts';

/** Prints a result as JSON so scripts can read it. */
export type Print = (value: unknown) => void;

/** The services management commands use: the store-backed ones, with no bus (see runtime/cli-host.ts). */
export interface CliServices {
  readonly directory: DirectoryService;
  readonly tokens: TokenService;
  readonly keys: KeyService;
  readonly clock: Clock;
}

/** One management command: parses its flags, calls the services, prints its result. */
export type Command = (services: CliServices, args: string[], print: Print) => Promise<void>;

/** The user a --user flag names, within --org when given; an ambiguous name asks for --org. */
async function findUser(services: CliServices, userRef: string, orgId: string | undefined): Promise<User> {
  try {
    return await services.directory.findUser(userRef, orgId);
  } catch (error) {
    if (error instanceof KeygateError && error.field === 'organization') throw new CliError(error.message.replace(/say which organization$/, 'give --org <organization>'));
    throw error;
  }
}

async function actingPrincipal(services: CliServices, userRef: string | undefined, orgRef: string | undefined): Promise<Principal> {
  const org = orgRef ? await services.directory.findOrganization(orgRef) : undefined;
  if (userRef) {
    const user = await findUser(services, userRef, org?.id);
    return services.tokens.principalFor(user.id, 'cli', null);
  }
  if (!org) throw new CliError('give --user (act as that user) or --org (act as its first admin)');
  const admin = await services.directory.firstAdmin(org.id);
  if (!admin) throw new CliError(`organization ${org.name} has no admin to act as; give --user`);
  return services.tokens.principalFor(admin.id, 'cli', null);
}

export async function orgCreate(services: CliServices, args: string[], print: Print): Promise<void> {
  const { values, positionals } = parseCommand(args, { name: { type: 'string' }, 'revoke-policy': { type: 'string' } }, true);
  const name = (values.name as string | undefined) ?? positionals[0];
  if (!name) throw new CliError('organization name is required: keygate org create <name>');
  const org = await services.directory.createOrganization(name, (values['revoke-policy'] as RevokePolicy | undefined) ?? 'admins');
  print({ organization: org });
}

export async function userCreate(services: CliServices, args: string[], print: Print): Promise<void> {
  const { values } = parseCommand(args, {
    org: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    'usage-level': { type: 'string' },
    tier: { type: 'string' },
    wallet: { type: 'string', multiple: true },
  });
  const org = await services.directory.findOrganization(required(values, 'org'));
  const user = await services.directory.createUser({
    organizationId: org.id,
    name: required(values, 'name'),
    role: values.role as Role | undefined,
    usageLevel: values['usage-level'] as UsageLevel | undefined,
    tier: values.tier as Tier | undefined,
    wallets: (values.wallet as string[] | undefined) ?? [],
  });
  print({ user });
}

export async function tokenCreate(services: CliServices, args: string[], print: Print): Promise<void> {
  const { values } = parseCommand(args, {
    user: { type: 'string' },
    org: { type: 'string' },
    name: { type: 'string' },
    'ttl-days': { type: 'string' },
    'no-expiry': { type: 'boolean' },
  });
  const userRef = required(values, 'user');
  const days = optionalInt(values, 'ttl-days');
  if (days !== undefined && values['no-expiry']) throw new CliError('give --ttl-days or --no-expiry, not both');
  if (days === 0) throw new CliError('--ttl-days must be at least 1 (--no-expiry makes a token that never expires)');
  // The bound of tokens.defaultTtlDays: a larger one overflows a date, and such a token made every listing fail.
  if (days !== undefined && days > MAX_TOKEN_TTL_DAYS) throw new CliError(`--ttl-days must be at most ${MAX_TOKEN_TTL_DAYS} (--no-expiry makes a token that never expires)`);
  const org = values.org ? await services.directory.findOrganization(values.org as string) : undefined;
  const user = await findUser(services, userRef, org?.id);
  // No flag: the default lifetime (tokens.defaultTtlDays).
  const ttlMs = values['no-expiry'] ? null : days === undefined ? undefined : days * 86_400_000;
  const created = await services.tokens.create(user, (values.name as string | undefined) ?? 'cli token', ttlMs);
  print({ token: created.token, id: created.id, user: user.name, expiresAt: created.expiresAt === null ? null : new Date(created.expiresAt).toISOString() });
}

export async function tokenList(services: CliServices, args: string[], print: Print): Promise<void> {
  const { values } = parseCommand(args, { user: { type: 'string' }, org: { type: 'string' } });
  const org = values.org ? await services.directory.findOrganization(values.org as string) : undefined;
  if (values.user) {
    const user = await findUser(services, values.user as string, org?.id);
    print({ tokens: await services.tokens.listForOperator({ userId: user.id }) });
    return;
  }
  if (!org) throw new CliError('give --user (that user\'s tokens) or --org (every token of the organization)');
  print({ tokens: await services.tokens.listForOperator({ organizationId: org.id }) });
}

export async function tokenRevoke(services: CliServices, args: string[], print: Print): Promise<void> {
  const { positionals } = parseCommand(args, {}, true);
  const id = positionals[0];
  if (!id) throw new CliError('token id is required: keygate token revoke <id> (keygate token list shows the ids)');
  print({ token: await services.tokens.revokeForOperator(id) });
}

/** A key's settings as flags: what `keys create` sets and `keys update` changes. */
const KEY_SETTING_FLAGS = {
  name: { type: 'string' },
  permission: { type: 'string', multiple: true },
  ip: { type: 'string', multiple: true },
  exchange: { type: 'string', multiple: true },
  tier: { type: 'string' },
  'max-connections': { type: 'string' },
  'requests-per-minute': { type: 'string' },
} as const;

/**
 * A repeatable list flag whose empty list is spelled with one word, since no flag can be given an
 * empty list: `--permission none` (no permissions), `--ip any` (no address restriction). Undefined
 * when the flag is absent, [] for that word alone, else the values as given.
 */
function listFlag(values: Record<string, unknown>, flag: 'permission' | 'ip', emptyWord: string, meaning: string): string[] | undefined {
  const given = values[flag] as string[] | undefined;
  if (!given?.includes(emptyWord)) return given;
  if (given.length > 1) throw new CliError(`--${flag} ${emptyWord} ${meaning}; it cannot be combined with other --${flag} flags`);
  return [];
}

/** `--permission`, where `none` gives the key no permissions (it may authenticate but do nothing guarded). */
const permissionsFlag = (values: Record<string, unknown>) => listFlag(values, 'permission', 'none', 'gives the key no permissions');

/** `--ip`, where `any` lifts the address restriction (an empty allowlist admits every address). */
const ipFlag = (values: Record<string, unknown>) => listFlag(values, 'ip', 'any', 'lifts the address restriction');

export async function keysCreate(services: CliServices, args: string[], print: Print): Promise<void> {
  const { values } = parseCommand(args, { user: { type: 'string' }, org: { type: 'string' }, ...KEY_SETTING_FLAGS, 'expires-in-days': { type: 'string' } });
  // Flags first, so bad input is reported before anything is looked up.
  const userRef = required(values, 'user');
  const name = required(values, 'name');
  const days = optionalInt(values, 'expires-in-days');
  const maxConnections = optionalInt(values, 'max-connections');
  const requestsPerMinute = optionalInt(values, 'requests-per-minute');
  const permissions = permissionsFlag(values);
  const ipAllowlist = ipFlag(values);
  const principal = await actingPrincipal(services, userRef, values.org as string | undefined);
  const created = await services.keys.create(principal, {
    name,
    permissions,
    ipAllowlist,
    allowedExchanges: values.exchange as string[] | undefined,
    tier: values.tier as Tier | undefined,
    maxConnections,
    requestsPerMinute,
    expiresAt: days === undefined ? null : services.clock.now() + days * 86_400_000,
    origin: 'cli',
  });
  print({ ...keyView(created.key, services.clock.now()), key: created.secret });
}

export async function keysList(services: CliServices, args: string[], print: Print): Promise<void> {
  const { values } = parseCommand(args, { user: { type: 'string' }, org: { type: 'string' }, name: { type: 'string' }, tail: { type: 'string' } });
  const principal = await actingPrincipal(services, values.user as string | undefined, values.org as string | undefined);
  const keys = await services.keys.list(principal, { name: values.name as string | undefined, tail: values.tail as string | undefined });
  print({ keys: keys.map((k) => keyView(k, services.clock.now())) });
}

/**
 * The key a positional id names and an admin of its organization to act as (--user, or the
 * organization's first admin), and what `read` makes of the command's further flags — read before
 * anything is looked up, so bad input is reported first.
 */
async function keyAndAdmin<T>(services: CliServices, args: string[], command: string, flags: Parameters<typeof parseCommand>[1], read: (values: Record<string, unknown>) => T): Promise<{ id: string; principal: Principal; input: T }> {
  const { values, positionals } = parseCommand(args, { user: { type: 'string' }, org: { type: 'string' }, ...flags }, true);
  const id = positionals[0];
  if (!id) throw new CliError(`key id is required: keygate keys ${command} <id> --org <organization>`);
  if (positionals.length > 1) throw new CliError(`one key id at a time: unexpected ${JSON.stringify(positionals[1])}`);
  const input = read(values);
  const key = await services.keys.findForOperator(id);
  if (!key) throw new CliError(`no API key with id ${id}`);
  const principal = await actingPrincipal(services, values.user as string | undefined, (values.org as string | undefined) ?? key.organizationId);
  return { id, principal, input };
}

/** What `keys update` changes, from its flags; at least one is required. */
function updateInput(values: Record<string, unknown>): UpdateKeyInput {
  const limit = values['requests-per-minute'];
  const input: UpdateKeyInput = {
    name: values.name as string | undefined,
    permissions: permissionsFlag(values),
    ipAllowlist: ipFlag(values),
    allowedExchanges: values.exchange as string[] | undefined,
    tier: values.tier as Tier | undefined,
    maxConnections: optionalInt(values, 'max-connections'),
    // `tier` hands the key back to its tier's limit.
    requestsPerMinute: limit === 'tier' ? null : optionalInt(values, 'requests-per-minute'),
  };
  if (Object.values(input).every((value) => value === undefined)) {
    throw new CliError(`nothing to change: give at least one of ${Object.keys(KEY_SETTING_FLAGS).map((flag) => `--${flag}`).join(', ')}`);
  }
  return input;
}

export async function keysRevoke(services: CliServices, args: string[], print: Print): Promise<void> {
  const { id, principal } = await keyAndAdmin(services, args, 'revoke', {}, () => undefined);
  const revoked = await services.keys.revoke(principal, id);
  print(keyView(revoked, services.clock.now()));
}

export async function keysUpdate(services: CliServices, args: string[], print: Print): Promise<void> {
  const { id, principal, input } = await keyAndAdmin(services, args, 'update', KEY_SETTING_FLAGS, updateInput);
  print(keyView(await services.keys.update(principal, id, input), services.clock.now()));
}

export async function keysSuspend(services: CliServices, args: string[], print: Print): Promise<void> {
  const { id, principal } = await keyAndAdmin(services, args, 'suspend', {}, () => undefined);
  print(keyView(await services.keys.setEnabled(principal, id, false), services.clock.now()));
}

export async function keysResume(services: CliServices, args: string[], print: Print): Promise<void> {
  const { id, principal } = await keyAndAdmin(services, args, 'resume', {}, () => undefined);
  print(keyView(await services.keys.setEnabled(principal, id, true), services.clock.now()));
}
