import { ErrorCode, KeygateError } from '../core/errors.ts';
import type { Organization } from '../core/principal.ts';
import { publicKeyWallets } from '../core/public-wallets.ts';
import type { DirectoryService } from '../service/directory-service.ts';
import type { KeyService } from '../service/key-service.ts';
import type { TokenService } from '../service/token-service.ts';

/** The services the seed uses. */
export interface DemoSeedServices {
  readonly directory: DirectoryService;
  readonly tokens: TokenService;
  readonly keys: KeyService;
}

/**
 * The demo wallets: Hardhat's well-known first two accounts, so anyone can sign in as the demo admin
 * in a dev wallet on this machine (public-wallets.ts keeps them to it). Never fund them.
 */
export const [DEMO_WALLET, DEMO_MEMBER_WALLET] = publicKeyWallets();
export const DEMO_WALLET_PRIVATE_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const DEMO_ORGANIZATION = 'Demo Trading';

/** What the first demo start created; the secrets are only known on that start. */
export interface DemoSeed {
  readonly created: boolean;
  readonly organizationId: string;
  readonly adminUserId: string;
  readonly adminToken: string | null;
  readonly demoKey: string | null;
}

/** Creates the demo organization, an admin and a member, a management token and a live key — once. */
export async function seedDemo(keygate: DemoSeedServices): Promise<DemoSeed> {
  const existing = await findOrganization(keygate.directory, DEMO_ORGANIZATION);
  if (existing) {
    const admin = await keygate.directory.findUser('demo-admin', existing.id).catch(() => null);
    return { created: false, organizationId: existing.id, adminUserId: admin?.id ?? '', adminToken: null, demoKey: null };
  }
  const org = await keygate.directory.createOrganization(DEMO_ORGANIZATION, 'admins');
  const admin = await keygate.directory.createUser({
    organizationId: org.id,
    name: 'demo-admin',
    role: 'admin',
    usageLevel: 'premier',
    tier: 'premium',
    wallets: [DEMO_WALLET],
  });
  await keygate.directory.createUser({ organizationId: org.id, name: 'demo-member', role: 'member', usageLevel: 'basic', tier: 'basic', wallets: [DEMO_MEMBER_WALLET] });
  const { token } = await keygate.tokens.create(admin, 'demo admin token');
  const principal = await keygate.tokens.principalFor(admin.id, 'demo', null);
  const key = await keygate.keys.create(principal, { name: 'demo live data', permissions: ['read', 'info'], allowedExchanges: ['*'], origin: 'native' });
  return { created: true, organizationId: org.id, adminUserId: admin.id, adminToken: token, demoKey: key.secret };
}

async function findOrganization(directory: DirectoryService, name: string): Promise<Organization | null> {
  try {
    return await directory.findOrganization(name);
  } catch (error) {
    if (error instanceof KeygateError && error.code === ErrorCode.NOT_FOUND) return null;
    throw error;
  }
}
