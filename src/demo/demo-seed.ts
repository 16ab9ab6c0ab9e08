import { ErrorCode, KeygateError } from '../core/errors.ts';
import type { Organization } from '../core/principal.ts';
import type { DirectoryService } from '../service/directory-service.ts';
import type { KeyService } from '../service/key-service.ts';
import type { TokenService } from '../service/token-service.ts';

/** The services the seed uses. */
export interface DemoSeedServices {
  readonly directory: DirectoryService;
  readonly tokens: TokenService;
  readonly keys: KeyService;
}

/** The demo wallet: Hardhat's well-known first account, so anyone can sign in as it in a dev wallet. Never fund it. */
export const DEMO_WALLET = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
export const DEMO_WALLET_PRIVATE_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
export const DEMO_MEMBER_WALLET = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8';
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
